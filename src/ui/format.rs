//! Formatting shared by the pages.

use crate::domain::calendar::SemesterCode;
use crate::i18n::*;

/// Returns a semester as people write it: `113學年度第1學期` / `2024–25, semester 1`.
pub fn semester_label(locale: Locale, code: SemesterCode) -> String {
    let year = code.school_year.0;
    let semester = code.semester.number();
    td_string!(locale, format.semester, year = year, semester = semester).to_string()
}

/// [`semester_label`] in the locale of the page. The language button reloads the page, so
/// the locale is read once.
pub fn use_semester_label() -> impl Fn(SemesterCode) -> String + Copy {
    let i18n = use_i18n();
    move |code| semester_label(i18n.get_locale_untracked(), code)
}
