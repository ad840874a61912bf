//! The downloadable template of each kind. The CSV is UTF-8 with a byte order mark, so that
//! Excel shows the Chinese headers. The .xlsx formats every column as text, so that Excel
//! keeps the leading zeros of 座號, 手機 and 7-digit ROC dates.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::domain::imports::{ImportField, ImportKind};

/// The template formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateFormat {
    Csv,
    Xlsx,
}

impl TemplateFormat {
    pub fn extension(self) -> &'static str {
        match self {
            TemplateFormat::Csv => "csv",
            TemplateFormat::Xlsx => "xlsx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            TemplateFormat::Csv => "text/csv; charset=utf-8",
            TemplateFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// Parses a template's URL name, such as `students.csv`.
pub fn parse_name(name: &str) -> Option<(ImportKind, TemplateFormat)> {
    let (kind, extension) = name.rsplit_once('.')?;
    let format = match extension {
        "csv" => TemplateFormat::Csv,
        "xlsx" => TemplateFormat::Xlsx,
        _ => return None,
    };
    Some((ImportKind::parse(kind)?, format))
}

/// Returns the download name of a template, such as 學生匯入範本.csv.
pub fn file_name(kind: ImportKind, format: TemplateFormat) -> String {
    let label = match kind {
        ImportKind::Staff => "教職員",
        ImportKind::Homerooms => "班級",
        ImportKind::Students => "學生",
        ImportKind::Courses => "開課",
        ImportKind::Enrolments => "選課",
    };
    format!("{label}匯入範本.{}", format.extension())
}

/// Returns what a column takes, for the notes sheet of the .xlsx template.
fn field_note(field: ImportField) -> &'static str {
    match field {
        ImportField::Homeroom => "班級名稱，須與已匯入的班級相同，例如 101",
        ImportField::SeatNo => "1 到 99 的整數",
        ImportField::StudentNo => "學號，也是學生的登入帳號；英文字母、數字、- 或 _",
        ImportField::Name => "姓名",
        ImportField::NationalId => "身分證字號或居留證號（新式、舊式），會檢查檢查碼",
        ImportField::BirthDate => {
            "民國 0950116、95/01/16、095/01/16，或西元 2006-01-16、2006/1/16，或 Excel 日期"
        }
        ImportField::Email => "選填；空白時保留原有資料",
        ImportField::Mobile => "選填，09 開頭共 10 碼；空白時保留原有資料",
        ImportField::StaffNo => "教職員編號，也是登入帳號；英文字母、數字、- 或 _",
        ImportField::Roles => {
            "選填：教師、導師、課程諮詢教師、提交名冊人員、管理者，以「、」分隔；空白為教師"
        }
        ImportField::Grade => "10、11、12，或 高一、高二、高三",
        ImportField::HomeroomTeacher => "選填：導師的教職員編號",
        ImportField::Subject => "科目名稱，例如 數學A",
        ImportField::Group => "開課班級或群組，例如 101 或 高二自然組",
        ImportField::Credits => "學分（時數），0 到 30 的整數",
        ImportField::Teacher => "授課教師的教職員編號",
    }
}

/// Builds a template file.
pub fn build(kind: ImportKind, format: TemplateFormat) -> Result<Vec<u8>, XlsxError> {
    match format {
        TemplateFormat::Csv => Ok(csv_template(kind)),
        TemplateFormat::Xlsx => xlsx_template(kind),
    }
}

fn csv_template(kind: ImportKind) -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let headers: Vec<&str> = kind.columns().iter().map(|column| column.header).collect();
    // Every row has as many cells as the header (a unit test checks it) and a Vec accepts
    // every write, so these writes cannot fail.
    let _ = writer.write_record(&headers);
    for row in kind.template_rows() {
        let _ = writer.write_record(*row);
    }
    bytes.extend(writer.into_inner().unwrap_or_default());
    bytes
}

fn xlsx_template(kind: ImportKind) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let text = Format::new().set_num_format("@");
    let header = Format::new().set_bold().set_num_format("@");
    let sheet = workbook.add_worksheet();
    sheet.set_name("匯入資料")?;
    for (index, column) in kind.columns().iter().enumerate() {
        let index = index as u16;
        sheet.set_column_width(index, 16)?;
        sheet.set_column_format(index, &text)?;
        sheet.write_string_with_format(0, index, column.header, &header)?;
    }
    for (row_index, row) in kind.template_rows().iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            sheet.write_string_with_format(row_index as u32 + 1, column as u16, *value, &text)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;

    let notes = workbook.add_worksheet();
    notes.set_name("欄位說明")?;
    for (column, title) in ["欄位", "必填", "也接受的標題", "說明"].iter().enumerate() {
        notes.write_string_with_format(0, column as u16, *title, &header)?;
    }
    notes.set_column_width(2, 36)?;
    notes.set_column_width(3, 70)?;
    for (index, column) in kind.columns().iter().enumerate() {
        let row = index as u32 + 1;
        notes.write_string(row, 0, column.header)?;
        notes.write_string(row, 1, if column.required { "是" } else { "否" })?;
        notes.write_string(row, 2, column.aliases.join("、"))?;
        notes.write_string(row, 3, field_note(column.field))?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::services::imports::read::read_lines;

    #[test]
    fn templates_read_back_with_their_headers() {
        for kind in ImportKind::ALL {
            for format in [TemplateFormat::Csv, TemplateFormat::Xlsx] {
                let bytes = build(kind, format).unwrap();
                let lines = read_lines(&bytes).unwrap();
                let matched = kind.match_headers(&lines[0].cells);
                assert!(matched.missing.is_empty(), "{kind:?} {format:?}");
                assert!(matched.ignored.is_empty(), "{kind:?} {format:?}");
                assert_eq!(lines.len(), kind.template_rows().len() + 1);
                assert_eq!(
                    lines[1].cells,
                    kind.template_rows()[0],
                    "{kind:?} {format:?}"
                );
            }
        }
    }

    #[test]
    fn names_parse() {
        assert_eq!(
            parse_name("students.xlsx"),
            Some((ImportKind::Students, TemplateFormat::Xlsx))
        );
        assert_eq!(parse_name("students.exe"), None);
        assert_eq!(parse_name("../x.csv"), None);
    }
}
