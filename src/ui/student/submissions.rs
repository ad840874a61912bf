//! 查詢學習成果提交中央資料庫紀錄: which of the student's outcomes went in which batch, and when.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::student::my_submission_records;
use crate::domain::role::Role;
use crate::i18n::*;
use crate::ui::components::{DateTime, ErrorNotice};
use crate::ui::format::use_semester_label;
use crate::ui::session::RequireRole;

#[component]
pub fn SubmissionRecordsPage() -> impl IntoView {
    let i18n = use_i18n();
    let records = Resource::new(|| (), |_| my_submission_records());
    let semester_label = use_semester_label();
    view! {
        <Title text=move || t_string!(i18n, records.title)/>
        <RequireRole role=Role::Student>
            <h1>{t!(i18n, records.title)}</h1>
            <p class="hint">{t!(i18n, records.hint)}</p>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match records.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, records.empty)}</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-scroll">
                                <table class="records responsive">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, records.submitted_at)}</th>
                                            <th scope="col">{t!(i18n, records.batch)}</th>
                                            <th scope="col">{t!(i18n, fields.semester)}</th>
                                            <th scope="col">{t!(i18n, fields.subject)}</th>
                                            <th scope="col">{t!(i18n, fields.summary)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|record| {
                                                let batch = t_string!(
                                                    i18n,
                                                    records.batch_label,
                                                    year = record.school_year.0,
                                                    roster = record.roster_no,
                                                    row = record.row_no
                                                )
                                                .to_string();
                                                view! {
                                                    <tr>
                                                        <td data-label=move || t_string!(i18n, records.submitted_at)>
                                                            <DateTime at=record.submitted_at/>
                                                        </td>
                                                        <td data-label=move || t_string!(i18n, records.batch)>{batch}</td>
                                                        <td data-label=move || t_string!(i18n, fields.semester)>{semester_label(record.semester)}</td>
                                                        <td data-label=move || t_string!(i18n, fields.subject)>{record.subject.clone()}</td>
                                                        <td data-label=move || t_string!(i18n, fields.summary)>{record.summary.clone()}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireRole>
    }
}
