//! Reads an uploaded file into rows of text cells: .xlsx through calamine, CSV through the
//! csv crate. CSV is decoded first from UTF-8 (with or without a byte order mark), UTF-16
//! with a byte order mark, or Big5, the encoding many Taiwanese school systems still export.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use crate::domain::imports::ImportFileProblem;

/// The maximum number of data rows in one file: about ten times the students of a large
/// school.
pub const MAX_ROWS: usize = 20_000;

/// One non-empty row of a file and the line it is on, numbered as a spreadsheet numbers
/// its rows (the first line is 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub number: u32,
    pub cells: Vec<String>,
}

/// Reads every non-empty row of the file's first worksheet, or of the CSV text.
pub fn read_lines(bytes: &[u8]) -> Result<Vec<Line>, ImportFileProblem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportFileProblem::Empty);
    }
    let lines = if bytes.starts_with(b"PK\x03\x04") {
        read_workbook(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ImportFileProblem::LegacyExcel);
    } else {
        read_csv(&decode_text(bytes)?)?
    };
    if lines.is_empty() {
        return Err(ImportFileProblem::Empty);
    }
    // The header takes one line, so a file may have MAX_ROWS rows after it.
    if lines.len() > MAX_ROWS + 1 {
        return Err(ImportFileProblem::TooManyRows {
            max: MAX_ROWS as u32,
        });
    }
    Ok(lines)
}

/// Decodes CSV bytes. A byte order mark decides; otherwise valid UTF-8 is UTF-8 and anything
/// else must decode as Big5 without a single invalid sequence.
fn decode_text(bytes: &[u8]) -> Result<String, ImportFileProblem> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return if had_errors {
            Err(ImportFileProblem::Encoding)
        } else {
            Ok(text.into_owned())
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, had_errors) = encoding_rs::BIG5.decode_without_bom_handling(bytes);
    if had_errors {
        Err(ImportFileProblem::Encoding)
    } else {
        Ok(text.into_owned())
    }
}

/// Parses CSV text; a first line with more tabs than commas is read as tab-separated, as
/// Excel's "Unicode text" export writes it.
fn read_csv(text: &str) -> Result<Vec<Line>, ImportFileProblem> {
    // csv 1.4 numbers the record after a CRLF one line too low, so line ends are made LF
    // first. A line break inside a quoted cell becomes LF as well, which changes nothing.
    let text = text.replace("\r\n", "\n");
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| ImportFileProblem::Csv {
            line: error
                .position()
                .map(|position| position.line() as u32)
                .unwrap_or(0),
        })?;
        let number = record
            .position()
            .map(|position| position.line() as u32)
            .unwrap_or(0);
        let cells: Vec<String> = record.iter().map(|cell| cell.trim().to_owned()).collect();
        if cells.iter().any(|cell| !cell.is_empty()) {
            lines.push(Line { number, cells });
        }
        if lines.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(lines)
}

/// Reads the first worksheet of an .xlsx workbook.
fn read_workbook(bytes: &[u8]) -> Result<Vec<Line>, ImportFileProblem> {
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| ImportFileProblem::Workbook)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(ImportFileProblem::Workbook)?
        .map_err(|_| ImportFileProblem::Workbook)?;
    let first_row = range.start().map(|(row, _)| row).unwrap_or(0);
    let first_column = range.start().map(|(_, column)| column).unwrap_or(0) as usize;
    let mut lines = Vec::new();
    for (index, row) in range.rows().enumerate() {
        // Cells left of the used range are empty; keep them so column positions stay right.
        let mut cells = vec![String::new(); first_column];
        cells.extend(row.iter().map(cell_text));
        if cells.iter().any(|cell| !cell.is_empty()) {
            lines.push(Line {
                number: first_row + index as u32 + 1,
                cells,
            });
        }
        if lines.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(lines)
}

/// Turns a cell into the text that a spreadsheet shows: whole numbers without `.0`, date cells as
/// `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => {
            text.trim().to_owned()
        }
        Data::Int(number) => number.to_string(),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{}", *number as i64)
        }
        Data::Float(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(value) if value.is_datetime() => {
            let (year, month, day, ..) = value.to_ymd_hms_milli();
            format!("{year:04}-{month:02}-{day:02}")
        }
        Data::DateTime(value) => value.as_f64().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = read_lines("學號,姓名\n113001,王小明\n".as_bytes()).unwrap();
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice("學號,姓名\n113001,王小明\n".as_bytes());
        assert_eq!(read_lines(&with_bom).unwrap(), plain);
        assert_eq!(plain[0].cells, vec!["學號", "姓名"]);
        assert_eq!(plain[1].number, 2);
    }

    #[test]
    fn big5_is_detected() {
        let (bytes, _, _) = encoding_rs::BIG5.encode("學號,姓名\r\n113001,王小明\r\n");
        let lines = read_lines(&bytes).unwrap();
        assert_eq!(lines[1].cells, vec!["113001", "王小明"]);
    }

    #[test]
    fn tabs_and_blank_lines() {
        let lines = read_lines("學號\t姓名\r\n\r\n\t\r\n113001\t王小明\r\n".as_bytes()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].number, 4);
    }

    #[test]
    fn unreadable_files() {
        assert_eq!(read_lines(b" \n"), Err(ImportFileProblem::Empty));
        assert_eq!(
            read_lines(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]),
            Err(ImportFileProblem::LegacyExcel)
        );
        assert_eq!(
            read_lines(b"PK\x03\x04junk"),
            Err(ImportFileProblem::Workbook)
        );
        assert_eq!(
            read_lines(&[0x81, 0x20, 0xFF]),
            Err(ImportFileProblem::Encoding)
        );
    }
}
