//! The demo school: 2 homerooms × 35 students, 8 teachers, the courses of semester 1131, and
//! outcomes in every state with generated files. It is created only in an empty database, and
//! through the same services that real users go through, so its rows, files, audit trail and
//! notifications are what real use produces.

mod files;

use anyhow::Context;

use jiff::ToSpan;
use jiff::civil::date;

use super::certification::{self, Decision};
use super::outcomes::{self, NewOutcome, UploadedFile};
use super::selection;
use crate::domain::calendar::{SchoolYear, Semester, SemesterCode, UtcMillis, start_of_taipei_day};
use crate::domain::files::{FileKind, FileSlot};
use crate::domain::ids::{CourseId, SchoolId, UserId};
use crate::domain::national_id::NationalId;
use crate::domain::outcome::Verdict;
use crate::domain::role::Role;
use crate::domain::window::{SemesterWindows, Window};
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::db::courses::NewCourse;
use crate::server::db::schools::NewSemester;
use crate::server::db::users::NewUser;
use crate::server::state::{AppState, Clock};

/// The password of every demo account. It is printed at start and in the README, so the demo
/// school must never hold real data.
pub const DEMO_PASSWORD: &str = "demo1234";
pub const DEMO_SCHOOL_CODE: &str = "990001";
pub const DEMO_SCHOOL_NAME: &str = "市立歷程高級中學（示範）";
/// The demo's administrator and submission staff (教務處).
pub const DEMO_ADMIN: &str = "admin";

/// A demo teacher: login, name, the subject taught to both homerooms, and its credits.
const TEACHERS: [(&str, &str, &str, i64); 8] = [
    ("t001", "王怡君", "國語文", 4),
    ("t002", "陳建宏", "英語文", 4),
    ("t003", "林雅婷", "數學A", 4),
    ("t004", "張志明", "物理", 2),
    ("t005", "李佳穎", "化學", 2),
    ("t006", "黃俊傑", "歷史", 2),
    ("t007", "吳淑芬", "探究與實作", 2),
    ("t008", "劉家豪", "地理", 2),
];

const SURNAMES: [&str; 20] = [
    "陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊", "許", "鄭", "謝", "郭", "洪", "曾",
    "邱", "廖", "賴", "周",
];

const GIVEN_NAMES: [&str; 36] = [
    "宇翔", "品妤", "承恩", "子涵", "冠廷", "宥蓁", "彥廷", "詠晴", "柏翰", "思妤", "家豪", "芷瑄",
    "宸睿", "語彤", "宇辰", "欣妍", "承翰", "筱涵", "俊宏", "雅筑", "昱廷", "心妤", "睿恩", "佳穎",
    "柏宇", "采潔", "政宏", "郁婷", "哲瑋", "亭妤", "品睿", "以恩", "博宇", "姿穎", "翊安", "詩涵",
];

/// Returns the demo student's name for a 0-based index; the 70 names are all different.
fn student_name(index: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[index % SURNAMES.len()],
        GIVEN_NAMES[(index * 7 + index / SURNAMES.len()) % GIVEN_NAMES.len()]
    )
}

/// Returns the login of the demo student with a 0-based index: 學號 112001 to 112070, as
/// students who entered in 112 have.
fn student_no(index: usize) -> String {
    format!("112{:03}", index + 1)
}

/// The state a demo outcome is taken to after upload.
#[derive(Clone, Copy, Debug)]
enum Fate {
    Draft,
    Pending,
    PassedUnpublished,
    FailedUnpublished,
    Passed,
    Failed,
    /// Failed, published, revised and submitted again.
    Resubmitted,
}

const FATES: [Fate; 7] = [
    Fate::Passed,
    Fate::Pending,
    Fate::Failed,
    Fate::Draft,
    Fate::PassedUnpublished,
    Fate::Resubmitted,
    Fate::FailedUnpublished,
];

const FAIL_REASONS: [&str; 3] = [
    "檔案內容與本課程無關，請上傳本課程的作品。",
    "檔案無法辨識為本人作品（未見姓名或課堂紀錄），請補上後重新送出。",
    "上傳的是空白頁，請確認檔案內容。",
];

/// Creates the demo school unless the database already has a school. Returns whether it did.
pub async fn seed_if_empty(state: &AppState) -> anyhow::Result<bool> {
    if db::schools::count_schools(&state.db.pool).await? > 0 {
        return Ok(false);
    }
    tracing::info!("creating the demo school");
    seed(state).await?;
    Ok(true)
}

struct People {
    school: SchoolId,
    teachers: Vec<UserId>,
    students: Vec<UserId>,
    /// Courses per subject index: [homeroom 201, homeroom 202].
    courses: Vec<[CourseId; 2]>,
}

async fn seed(state: &AppState) -> anyhow::Result<()> {
    let real_now = UtcMillis::now();
    let people = seed_people(state, real_now).await?;
    // The outcomes are dated inside semester 1131: the services run on a clock that starts
    // on 113/10/01 09:00 (Taiwan) and moves on for each step.
    let seeding = AppState {
        clock: Clock::fixed(SEED_START),
        ..state.clone()
    };
    seed_outcomes(&seeding, &people).await?;
    seed_selections(&seeding, &people).await
}

/// 113/10/01 09:00:00 in Taiwan (2024-10-01T01:00:00Z), when the demo's first outcome arrives.
const SEED_START: UtcMillis = UtcMillis(1_727_744_400_000);
/// How far the demo clock moves between two steps: 37 minutes.
const SEED_STEP_MILLIS: i64 = 37 * 60 * 1000;

/// Moves the demo clock one step on, within school hours: a step that would pass 17:00 in
/// Taiwan moves to 08:00 of the next day instead, so no teacher publishes at 3 a.m.
fn advance(state: &AppState) {
    let next = UtcMillis(state.clock.now().0 + SEED_STEP_MILLIS);
    let day = next.taipei_date();
    let start = start_of_taipei_day(day).0;
    let hour = (next.0 - start) / 3_600_000;
    let next = if hour >= 17 {
        let tomorrow = day.checked_add(1.day()).unwrap_or(day);
        UtcMillis(start_of_taipei_day(tomorrow).0 + 8 * 3_600_000)
    } else {
        next
    };
    state.clock.set(next);
}

/// Returns a valid fake national ID for the demo student with a 0-based index: letter A
/// (Taipei), 1 or 2 alternating, the index, and the check digit.
fn demo_national_id(index: usize) -> NationalId {
    let sex = if index.is_multiple_of(2) { 1 } else { 2 };
    let body = format!("A{sex}{:07}", 2_450_000 + index * 137);
    (0..10)
        .map(|digit| format!("{body}{digit}"))
        .find_map(|candidate| NationalId::parse(&candidate).ok())
        .expect("one check digit fits")
}

/// Returns the birth date of a demo student: 高二 in 113 were born from Sept 2007 to Aug 2008.
fn demo_birth_date(index: usize) -> String {
    let month = (index % 12) as i8 + 1;
    let year = if month >= 9 { 2007 } else { 2008 };
    format!("{year}-{month:02}-{:02}", index % 28 + 1)
}

async fn seed_people(state: &AppState, now: UtcMillis) -> anyhow::Result<People> {
    let mut hashes = Vec::with_capacity(TEACHERS.len() + 71);
    for _ in 0..TEACHERS.len() + 71 {
        hashes.push(state.passwords.hash(DEMO_PASSWORD.to_owned()).await?);
    }
    let mut hashes = hashes.into_iter();

    let mut tx = state.db.begin_write().await?;
    let school =
        db::schools::insert_school(&mut tx, DEMO_SCHOOL_CODE, DEMO_SCHOOL_NAME, Some(9), now)
            .await?;
    let year_id = db::schools::insert_school_year(&mut tx, school, SchoolYear(113)).await?;
    let semester = db::schools::insert_semester(
        &mut tx,
        school,
        &NewSemester {
            school_year_id: year_id,
            code: SemesterCode::new(SchoolYear(113), Semester::First),
            starts_on: "2024-08-01",
            ends_on: "2025-01-31",
            closing_day: Some("2025-01-20"),
            is_current: true,
            windows: demo_windows(now),
        },
    )
    .await?;
    let today = now.taipei_date();
    let selection = Window::from_dates(date(2025, 6, 1), today.checked_add(45.days())?);
    db::windows::update_selection_window(&mut tx, school, year_id, &selection).await?;

    let mut teachers = Vec::new();
    for (login, name, _, _) in TEACHERS {
        let hash = hashes.next().context("password hashes")?;
        let user = db::users::insert_user(
            &mut tx,
            school,
            &NewUser {
                login,
                display_name: name,
                password_hash: Some(&hash),
                email: None,
            },
            now,
        )
        .await?;
        db::users::add_role(&mut tx, school, user, Role::Teacher).await?;
        db::users::insert_staff(&mut tx, school, user, &login.to_uppercase()).await?;
        teachers.push(user);
    }
    for &homeroom_teacher in &teachers[..2] {
        db::users::add_role(&mut tx, school, homeroom_teacher, Role::HomeroomTeacher).await?;
    }
    let homerooms = [
        db::courses::insert_homeroom(&mut tx, school, year_id, 11, "201", Some(teachers[0]))
            .await?,
        db::courses::insert_homeroom(&mut tx, school, year_id, 11, "202", Some(teachers[1]))
            .await?,
    ];

    let mut courses = Vec::new();
    for (index, (_, _, subject, credits)) in TEACHERS.iter().enumerate() {
        let subject_id = db::courses::insert_subject(&mut tx, school, subject).await?;
        let mut pair = Vec::new();
        for group in ["201", "202"] {
            let course = NewCourse {
                semester,
                subject: subject_id,
                teacher: teachers[index],
                group_name: group,
                credits: *credits,
            };
            pair.push(db::courses::insert_course(&mut tx, school, &course, now).await?);
        }
        courses.push([pair[0], pair[1]]);
    }

    let mut students = Vec::new();
    for index in 0..70 {
        let hash = hashes.next().context("password hashes")?;
        let number = student_no(index);
        let name = student_name(index);
        let user = db::users::insert_user(
            &mut tx,
            school,
            &NewUser {
                login: &number,
                display_name: &name,
                password_hash: Some(&hash),
                email: None,
            },
            now,
        )
        .await?;
        db::users::add_role(&mut tx, school, user, Role::Student).await?;
        db::users::insert_student(&mut tx, school, user, &number).await?;
        // Contacts on the reserved .example domain and a made-up number: 忘記密碼 in the demo
        // writes to the outbox files in the data directory.
        let email = format!("{number}@student.demo.example");
        let phone = format!("0912{number}");
        db::users::set_contact(&mut tx, school, user, Some(&email), Some(&phone)).await?;
        let national_id = demo_national_id(index);
        db::users::set_student_identity(
            &mut tx,
            school,
            user,
            &state.national_ids.encrypt(&national_id),
            &state.national_ids.lookup_hash(&national_id),
            &demo_birth_date(index),
        )
        .await?;
        let homeroom = index / 35;
        db::courses::add_homeroom_member(
            &mut tx,
            school,
            year_id,
            homerooms[homeroom],
            user,
            (index % 35 + 1) as i64,
        )
        .await?;
        for pair in &courses {
            db::courses::enroll(&mut tx, school, pair[homeroom], user).await?;
        }
        students.push(user);
    }
    let admin_hash = hashes.next().context("password hashes")?;
    let admin = db::users::insert_user(
        &mut tx,
        school,
        &NewUser {
            login: DEMO_ADMIN,
            display_name: "陳明德",
            password_hash: Some(&admin_hash),
            email: None,
        },
        now,
    )
    .await?;
    db::users::insert_staff(&mut tx, school, admin, "A001").await?;
    db::users::add_role(&mut tx, school, admin, Role::Admin).await?;
    db::users::add_role(&mut tx, school, admin, Role::SubmissionStaff).await?;

    // 張志明 (t004) covers 林雅婷's (t003) 數學A of both homerooms for two weeks from two
    // days ago, so that the certification page shows a delegate at work.
    let (starts_on, ends_on) = (
        today.checked_sub(2.days())?.to_string(),
        today.checked_add(12.days())?.to_string(),
    );
    for course in courses[2] {
        db::delegations::insert(
            &mut tx,
            school,
            &db::delegations::NewDelegationRow {
                course,
                delegate: teachers[3],
                starts_on: &starts_on,
                ends_on: &ends_on,
                created_by: admin,
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(People {
        school,
        teachers,
        students,
        courses,
    })
}

/// The outcomes of 112001, who shows a full year: five passed (four of them ticked for the
/// central database) and one waiting for certification.
const SHOWCASE_FATES: [Fate; 6] = [
    Fate::Passed,
    Fate::Passed,
    Fate::Passed,
    Fate::Passed,
    Fate::Passed,
    Fate::Pending,
];

/// Gives the first 12 students of each homeroom outcomes in every state, spread over subjects.
async fn seed_outcomes(state: &AppState, people: &People) -> anyhow::Result<()> {
    let chosen: Vec<usize> = (0..12).chain(35..47).collect();
    let mut counter = 0usize;
    for &index in &chosen {
        let student = as_user(people, people.students[index], Role::Student);
        let homeroom = index / 35;
        let slots = if index == 0 { SHOWCASE_FATES.len() } else { 3 };
        for slot in 0..slots {
            let subject = if index == 0 {
                slot
            } else {
                (index + slot * 3) % TEACHERS.len()
            };
            let fate = if index == 0 {
                SHOWCASE_FATES[slot]
            } else {
                FATES[(index + slot) % FATES.len()]
            };
            let course = people.courses[subject][homeroom];
            let teacher = as_user(people, people.teachers[subject], Role::Teacher);
            counter += 1;
            advance(state);
            seed_outcome(
                state, &student, &teacher, course, index, subject, fate, counter,
            )
            .await?;
        }
    }
    Ok(())
}

/// Ticks passed outcomes for the central database as students would in June, inside the
/// selection window: four of 112001's and the one of 112006. 112007 and 112008 have a passed
/// outcome left to tick.
async fn seed_selections(state: &AppState, people: &People) -> anyhow::Result<()> {
    state.clock.set(UtcMillis(
        start_of_taipei_day(date(2025, 6, 2)).0 + 9 * 3_600_000,
    ));
    for (index, count) in [(0usize, 4usize), (5, 1)] {
        let student = as_user(people, people.students[index], Role::Student);
        let overview = outcomes::overview(state, &student)
            .await
            .map_err(|error| anyhow::anyhow!("demo overview: {error}"))?;
        let passed = overview
            .semesters
            .iter()
            .flat_map(|group| &group.outcomes)
            .filter(|outcome| outcome.status == crate::domain::outcome::OutcomeStatus::Passed);
        for outcome in passed.take(count) {
            advance(state);
            selection::set_selected(state, &student, outcome.id, true)
                .await
                .map_err(|error| anyhow::anyhow!("demo selection: {error}"))?;
        }
    }
    Ok(())
}

/// The demo semester's windows: open from its first day until 30 days after the demo school
/// is created (teachers 7 days longer), so that the demo can be tried whenever it is made.
fn demo_windows(now: UtcMillis) -> SemesterWindows {
    let today = now.taipei_date();
    let student_last = today.checked_add(30.days()).unwrap_or(today);
    let teacher_last = student_last.checked_add(7.days()).unwrap_or(student_last);
    SemesterWindows {
        student: Window::from_dates(date(2024, 8, 1), student_last),
        teacher: Window::from_dates(date(2024, 8, 1), teacher_last),
    }
}

#[allow(clippy::too_many_arguments)]
async fn seed_outcome(
    state: &AppState,
    student: &CurrentUser,
    teacher: &CurrentUser,
    course: CourseId,
    index: usize,
    subject: usize,
    fate: Fate,
    counter: usize,
) -> anyhow::Result<()> {
    let (_, teacher_name, subject_name, _) = TEACHERS[subject];
    let name = student_name(index);
    let summary = format!(
        "{subject_name}課堂作品：{}",
        summary_topic(subject, counter)
    );
    let files = demo_files(state, &name, subject_name, &summary, counter).await?;
    let mut saved = outcomes::create(
        state,
        student,
        NewOutcome {
            course_id: course,
            summary,
            files,
        },
    )
    .await
    .map_err(|error| anyhow::anyhow!("demo upload: {error}"))?;
    if matches!(fate, Fate::Draft) {
        return Ok(());
    }
    advance(state);
    saved = outcomes::submit(state, student, saved.outcome_id, saved.version)
        .await
        .map_err(|error| anyhow::anyhow!("demo submit: {error}"))?;
    let student_version = saved.version;
    let reason = FAIL_REASONS[counter % FAIL_REASONS.len()].to_owned();
    let verdict = match fate {
        Fate::Pending => return Ok(()),
        Fate::PassedUnpublished | Fate::Passed => Verdict::Passed,
        Fate::FailedUnpublished | Fate::Failed | Fate::Resubmitted => Verdict::Failed,
        Fate::Draft => unreachable!("drafts return above"),
    };
    advance(state);
    let decided = certification::decide(
        state,
        teacher,
        Decision {
            items: vec![(saved.outcome_id, saved.version)],
            verdict,
            reason,
        },
    )
    .await
    .map_err(|error| anyhow::anyhow!("demo decision: {error}"))?;
    saved = decided[0];
    if matches!(fate, Fate::PassedUnpublished | Fate::FailedUnpublished) {
        return Ok(());
    }
    advance(state);
    certification::publish(state, teacher, &[(saved.outcome_id, saved.version)])
        .await
        .map_err(|error| anyhow::anyhow!("demo publication: {error}"))?;
    // Publication moved the student's token once since the submission.
    saved.version = student_version + 1;
    if matches!(fate, Fate::Resubmitted) {
        let files = demo_files(
            state,
            &name,
            subject_name,
            "補上姓名與課堂紀錄後重新上傳",
            counter + 1000,
        )
        .await?;
        saved = outcomes::revise(
            state,
            student,
            outcomes::Revision {
                outcome_id: saved.outcome_id,
                version: saved.version,
                summary: format!("{subject_name}課堂作品（已補上姓名與課堂紀錄）"),
                files,
            },
        )
        .await
        .map_err(|error| anyhow::anyhow!("demo revision: {error}"))?;
        outcomes::submit(state, student, saved.outcome_id, saved.version)
            .await
            .map_err(|error| anyhow::anyhow!("demo resubmission: {error}"))?;
    }
    tracing::debug!(teacher = teacher_name, ?fate, "demo outcome");
    Ok(())
}

fn summary_topic(subject: usize, counter: usize) -> &'static str {
    const TOPICS: [[&str; 2]; 8] = [
        ["〈背影〉讀後心得", "現代詩仿作與賞析"],
        ["English presentation: My Hometown", "英文讀書報告"],
        ["三角函數應用題解題紀錄", "統計圖表分析報告"],
        ["單擺週期實驗報告", "自由落體影片分析"],
        ["酸鹼滴定實驗紀錄", "校園水質檢測"],
        ["日治時期臺灣社會運動專題", "家族口述歷史訪談"],
        ["校園噪音調查與改善建議", "學校午餐剩食研究"],
        ["社區地圖繪製", "颱風路徑資料判讀"],
    ];
    TOPICS[subject % TOPICS.len()][counter % 2]
}

/// Generates the files of one demo outcome: always a document (PDF, or a JPEG or PNG picture),
/// and for every third outcome also a media file (MP3 or MP4).
async fn demo_files(
    state: &AppState,
    student: &str,
    subject: &str,
    summary: &str,
    counter: usize,
) -> anyhow::Result<Vec<UploadedFile>> {
    let hue = ((counter * 47) % 360) as u32;
    let (document, kind, name) = match counter % 4 {
        0 | 1 => (
            files::pdf(
                "課程學習成果",
                &[
                    format!("學生：{student}"),
                    format!("科目：{subject}"),
                    format!("簡述：{summary}"),
                ],
            ),
            FileKind::Pdf,
            format!("{subject}_學習成果_{student}.pdf"),
        ),
        2 => (
            files::jpeg(hue)?,
            FileKind::Jpeg,
            format!("{subject}作品照片.jpg"),
        ),
        _ => (
            files::png(hue)?,
            FileKind::Png,
            format!("{subject} 海報 📌.png"),
        ),
    };
    let mut uploaded = vec![stage(state, FileSlot::Document, kind, name, &document).await?];
    if counter.is_multiple_of(3) {
        let (media, kind, name) = if counter.is_multiple_of(2) {
            (
                files::mp4(hue, 30),
                FileKind::Mp4,
                format!("{subject}_實驗影片.mp4"),
            )
        } else {
            (
                files::mp3(&format!("{subject} 口頭報告"), 3),
                FileKind::Mp3,
                format!("{subject}口頭報告's 錄音.mp3"),
            )
        };
        uploaded.push(stage(state, FileSlot::Media, kind, name, &media).await?);
    }
    Ok(uploaded)
}

async fn stage(
    state: &AppState,
    slot: FileSlot,
    kind: FileKind,
    name: String,
    bytes: &[u8],
) -> anyhow::Result<UploadedFile> {
    let mut writer = state.storage.begin().await?;
    writer.write(bytes::Bytes::copy_from_slice(bytes)).await?;
    let blob = writer.finish().await?;
    Ok(UploadedFile {
        slot,
        kind,
        original_name: name,
        blob,
    })
}

fn as_user(people: &People, user: UserId, role: Role) -> CurrentUser {
    CurrentUser {
        user_id: user,
        school_id: people.school,
        roles: vec![role],
        active_role: Some(role),
        session_id: 0,
        must_change_password: false,
    }
}

/// Returns the lines printed at start and shown in the README: where to log in and as whom.
pub fn login_help(origin: &str) -> String {
    let mut text = format!(
        "示範學校 Demo school: {DEMO_SCHOOL_NAME} at {origin}\n\
         密碼 Password for every demo account: {DEMO_PASSWORD}\n\
         學生 Students: {} ({}, 201 座號 1) … {} (202 座號 35)\n",
        student_no(0),
        student_name(0),
        student_no(69),
    );
    for (index, (login, name, subject, _)) in TEACHERS.iter().enumerate() {
        let extra = match index {
            0 => "，201 導師 homeroom teacher of 201",
            1 => "，202 導師 homeroom teacher of 202",
            3 => "，代理 t003 數學A delegate for t003",
            _ => "",
        };
        text.push_str(&format!(
            "教師 Teacher: {login} ({name}, {subject}{extra})\n"
        ));
    }
    text.push_str(&format!(
        "教務處 Administrator and submission staff: {DEMO_ADMIN} (陳明德)\n"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_names_are_unique() {
        let names: std::collections::BTreeSet<String> = (0..70).map(student_name).collect();
        assert_eq!(names.len(), 70);
    }

    #[test]
    fn student_numbers_run_from_112001() {
        assert_eq!(student_no(0), "112001");
        assert_eq!(student_no(69), "112070");
    }
}
