//! Rules for uploaded files: which types each slot accepts (decided by content, never by the
//! name), the size limits, and how an original file name is kept and sent back.

use serde::{Deserialize, Serialize};

/// How many leading bytes the type check needs; every accepted signature fits in them.
pub const SNIFF_LEN: usize = 4096;
/// How many trailing bytes the completeness check needs.
pub const TAIL_LEN: usize = 1024;
/// Longest file name kept, in characters; longer names are shortened in the middle.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// The two files an outcome may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileSlot {
    /// PDF, JPEG or PNG.
    Document,
    /// MP3 or MP4.
    Media,
}

impl FileSlot {
    pub const ALL: [FileSlot; 2] = [FileSlot::Document, FileSlot::Media];

    /// Returns the multipart field name and database value of the slot.
    pub fn as_str(self) -> &'static str {
        match self {
            FileSlot::Document => "document",
            FileSlot::Media => "media",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "document" => Some(FileSlot::Document),
            "media" => Some(FileSlot::Media),
            _ => None,
        }
    }

    /// Returns the file types the slot accepts.
    pub fn accepted_kinds(self) -> &'static [FileKind] {
        match self {
            FileSlot::Document => &[FileKind::Pdf, FileKind::Jpeg, FileKind::Png],
            FileSlot::Media => &[FileKind::Mp3, FileKind::Mp4],
        }
    }

    /// Returns the value of an `<input type=file accept=…>` for the slot.
    pub fn accept_attribute(self) -> &'static str {
        match self {
            FileSlot::Document => ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
            FileSlot::Media => ".mp3,.mp4,audio/mpeg,video/mp4",
        }
    }
}

/// A file type accepted somewhere, as detected from the file's first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Mp3,
    Mp4,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [
        FileKind::Pdf,
        FileKind::Jpeg,
        FileKind::Png,
        FileKind::Mp3,
        FileKind::Mp4,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Mp3 => "audio/mpeg",
            FileKind::Mp4 => "video/mp4",
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<Self> {
        FileKind::ALL
            .into_iter()
            .find(|kind| kind.media_type() == media_type)
    }

    /// Returns the upper-case name shown to users, such as `PDF`.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Jpeg => "JPG",
            FileKind::Png => "PNG",
            FileKind::Mp3 => "MP3",
            FileKind::Mp4 => "MP4",
        }
    }

    /// Returns the usual file name extension, such as `pdf`.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Mp3 => "mp3",
            FileKind::Mp4 => "mp4",
        }
    }

    /// Returns how a browser can show the file inline.
    pub fn preview(self) -> PreviewKind {
        match self {
            FileKind::Pdf => PreviewKind::Pdf,
            FileKind::Jpeg | FileKind::Png => PreviewKind::Image,
            FileKind::Mp3 => PreviewKind::Audio,
            FileKind::Mp4 => PreviewKind::Video,
        }
    }
}

/// The HTML element that previews a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreviewKind {
    Pdf,
    Image,
    Audio,
    Video,
}

/// Detects the type of a file from its first bytes ([`SNIFF_LEN`] or the whole file if shorter).
/// Returns `None` for every type this platform does not accept.
pub fn detect_kind(head: &[u8]) -> Option<FileKind> {
    if infer::archive::is_pdf(head) {
        Some(FileKind::Pdf)
    } else if infer::image::is_jpeg(head) {
        Some(FileKind::Jpeg)
    } else if infer::image::is_png(head) {
        Some(FileKind::Png)
    } else if infer::video::is_mp4(head) {
        Some(FileKind::Mp4)
    } else if infer::audio::is_mp3(head) || is_mpeg_layer3_frame(head) {
        Some(FileKind::Mp3)
    } else {
        None
    }
}

/// Returns a short name of a refused file's real type, such as `heif` or `exe`, for messages.
pub fn describe_other_kind(head: &[u8]) -> Option<String> {
    infer::get(head).map(|kind| kind.extension().to_owned())
}

/// Matches an MP3 without an ID3 tag: an MPEG audio frame header of layer III, in any MPEG
/// version and with or without CRC. `infer` 0.19 only knows the `FF FB` form.
fn is_mpeg_layer3_frame(head: &[u8]) -> bool {
    head.len() > 3
        && head[0] == 0xFF
        && head[1] & 0xE0 == 0xE0
        && head[1] & 0x06 == 0x02
        && head[1] & 0x18 != 0x08
        && head[2] & 0xF0 != 0xF0
}

/// Checks that a file of a detected kind is complete, from its last [`TAIL_LEN`] bytes, so that
/// an upload cut short by a phone's network is refused instead of stored.
///
/// PDF must end with `%%EOF` (readers allow trailing whitespace) and PNG with its `IEND` chunk.
/// NOTE: JPEG, MP3 and MP4 are not checked: phones append data after a JPEG's end marker, and
/// the audio and video formats have no trailer.
pub fn is_complete(kind: FileKind, tail: &[u8]) -> bool {
    match kind {
        FileKind::Pdf => tail.windows(5).any(|window| window == b"%%EOF"),
        FileKind::Png => tail.ends_with(&[0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]),
        FileKind::Jpeg | FileKind::Mp3 | FileKind::Mp4 => true,
    }
}

/// Size limits per slot, in bytes. National rules changed them before (2 MB and 5 MB until
/// 2020), so they come from configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRules {
    pub document_max_bytes: u64,
    pub media_max_bytes: u64,
}

impl Default for FileRules {
    fn default() -> Self {
        FileRules {
            document_max_bytes: 4 * MIB,
            media_max_bytes: 10 * MIB,
        }
    }
}

const MIB: u64 = 1024 * 1024;

impl FileRules {
    pub fn max_bytes(&self, slot: FileSlot) -> u64 {
        match slot {
            FileSlot::Document => self.document_max_bytes,
            FileSlot::Media => self.media_max_bytes,
        }
    }

    /// Checks a whole file as the browser sees it before uploading, and the server once it has
    /// read the file. `head` is the first [`SNIFF_LEN`] bytes, `tail` the last [`TAIL_LEN`].
    pub fn check(
        &self,
        slot: FileSlot,
        file_name: &str,
        size: u64,
        head: &[u8],
        tail: &[u8],
    ) -> Result<FileKind, FileProblem> {
        let file_name = file_name.to_owned();
        if size == 0 {
            return Err(FileProblem::Empty { slot, file_name });
        }
        let max_bytes = self.max_bytes(slot);
        if size > max_bytes {
            return Err(FileProblem::TooLarge {
                slot,
                file_name,
                size,
                max_bytes,
            });
        }
        let kind = self.check_head(slot, &file_name, head)?;
        if !is_complete(kind, tail) {
            return Err(FileProblem::Incomplete {
                slot,
                file_name,
                kind,
            });
        }
        Ok(kind)
    }

    /// Checks the type from the first bytes alone, so a stream can stop early.
    pub fn check_head(
        &self,
        slot: FileSlot,
        file_name: &str,
        head: &[u8],
    ) -> Result<FileKind, FileProblem> {
        match detect_kind(head) {
            Some(kind) if slot.accepted_kinds().contains(&kind) => Ok(kind),
            Some(kind) => Err(FileProblem::WrongSlot {
                slot,
                file_name: file_name.to_owned(),
                kind,
            }),
            None => Err(FileProblem::TypeNotAllowed {
                slot,
                file_name: file_name.to_owned(),
                detected: describe_other_kind(head),
            }),
        }
    }
}

/// Why a file was refused; every variant names the file so the message can too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileProblem {
    Empty {
        slot: FileSlot,
        file_name: String,
    },
    TooLarge {
        slot: FileSlot,
        file_name: String,
        size: u64,
        max_bytes: u64,
    },
    /// The content is of no accepted type; `detected` names what it is, when known.
    TypeNotAllowed {
        slot: FileSlot,
        file_name: String,
        detected: Option<String>,
    },
    /// An accepted type in the other slot, such as an MP4 chosen as the document.
    WrongSlot {
        slot: FileSlot,
        file_name: String,
        kind: FileKind,
    },
    /// The file ends too early, as after an interrupted transfer.
    Incomplete {
        slot: FileSlot,
        file_name: String,
        kind: FileKind,
    },
}

/// Formats a byte count for people: `4 MB`, `512 KB`, `1.5 MB` (binary units, as file
/// managers on phones show them).
pub fn format_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    if bytes >= MIB {
        let tenths = (bytes * 10 + MIB / 2) / MIB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= KIB {
        format!("{} KB", (bytes + KIB / 2) / KIB)
    } else {
        format!("{bytes} B")
    }
}

/// Cleans a file name sent by a browser for storage and display: drops any directory part and
/// control characters, trims spaces, and shortens it in the middle to [`MAX_FILE_NAME_CHARS`]
/// while keeping the extension. Returns `fallback` when nothing is left.
pub fn clean_file_name(raw: &str, fallback: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    if cleaned.chars().all(|c| c == '.') {
        return fallback.to_owned();
    }
    let count = cleaned.chars().count();
    if count <= MAX_FILE_NAME_CHARS {
        return cleaned.to_owned();
    }
    let extension: String = match cleaned.rfind('.') {
        Some(dot) if cleaned[dot..].chars().count() <= 10 => cleaned[dot..].to_owned(),
        _ => String::new(),
    };
    let keep = MAX_FILE_NAME_CHARS - extension.chars().count() - 1;
    let stem: String = cleaned.chars().take(keep).collect();
    format!("{stem}…{extension}")
}

/// Right-to-left overrides and similar marks can make `gpj.exe` display as `exe.jpg`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Builds an RFC 6266 `Content-Disposition` value that carries the original (often Chinese)
/// name in `filename*` and an ASCII stand-in in `filename` for old clients.
pub fn content_disposition(inline: bool, file_name: &str) -> String {
    let disposition = if inline { "inline" } else { "attachment" };
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for byte in file_name.bytes() {
        // RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
    const PNG_HEAD: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    const PNG_TAIL: &[u8] = &[0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];
    const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 0xFF, 0xD9,
    ];
    const MP4: &[u8] = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41";
    const MP3_ID3: &[u8] = b"ID3\x04\0\0\0\0\0\0";
    const MP3_FRAME: &[u8] = &[0xFF, 0xFB, 0x90, 0x64, 0];
    const MP3_MPEG2_FRAME: &[u8] = &[0xFF, 0xF3, 0x84, 0xC4, 0];
    const HEIC: &[u8] = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0";

    fn rules() -> FileRules {
        FileRules::default()
    }

    #[test]
    fn detect_kind_recognises_each_accepted_type() {
        assert_eq!(detect_kind(PDF), Some(FileKind::Pdf));
        assert_eq!(detect_kind(JPEG), Some(FileKind::Jpeg));
        assert_eq!(detect_kind(PNG_HEAD), Some(FileKind::Png));
        assert_eq!(detect_kind(MP4), Some(FileKind::Mp4));
        assert_eq!(detect_kind(MP3_ID3), Some(FileKind::Mp3));
        assert_eq!(detect_kind(MP3_FRAME), Some(FileKind::Mp3));
        assert_eq!(detect_kind(MP3_MPEG2_FRAME), Some(FileKind::Mp3));
    }

    #[test]
    fn detect_kind_rejects_other_content() {
        assert_eq!(detect_kind(HEIC), None);
        assert_eq!(detect_kind(EXE), None);
        assert_eq!(detect_kind(b"<html><script>alert(1)</script>"), None);
        assert_eq!(
            detect_kind(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            None
        );
        assert_eq!(detect_kind(&[]), None);
        // An MPEG layer II frame (FF FD) is not an MP3.
        assert_eq!(detect_kind(&[0xFF, 0xFD, 0x90, 0x64]), None);
    }

    #[test]
    fn check_accepts_pdf_as_document() {
        assert_eq!(
            rules().check(FileSlot::Document, "a.pdf", PDF.len() as u64, PDF, PDF),
            Ok(FileKind::Pdf)
        );
    }

    #[test]
    fn check_accepts_exactly_the_limit() {
        let limit = rules().document_max_bytes;
        assert_eq!(
            rules().check(FileSlot::Document, "a.jpg", limit, JPEG, JPEG),
            Ok(FileKind::Jpeg)
        );
    }

    #[test]
    fn check_rejects_one_byte_over_the_limit() {
        let limit = rules().media_max_bytes;
        let result = rules().check(FileSlot::Media, "v.mp4", limit + 1, MP4, MP4);
        assert_eq!(
            result,
            Err(FileProblem::TooLarge {
                slot: FileSlot::Media,
                file_name: "v.mp4".into(),
                size: limit + 1,
                max_bytes: limit
            })
        );
    }

    #[test]
    fn check_rejects_empty_file() {
        let result = rules().check(FileSlot::Document, "empty.pdf", 0, &[], &[]);
        assert_eq!(
            result,
            Err(FileProblem::Empty {
                slot: FileSlot::Document,
                file_name: "empty.pdf".into()
            })
        );
    }

    #[test]
    fn check_rejects_exe_renamed_pdf() {
        let result = rules().check(FileSlot::Document, "report.pdf", EXE.len() as u64, EXE, EXE);
        assert_eq!(
            result,
            Err(FileProblem::TypeNotAllowed {
                slot: FileSlot::Document,
                file_name: "report.pdf".into(),
                detected: Some("exe".into())
            })
        );
    }

    #[test]
    fn check_rejects_heic_renamed_jpg() {
        let result = rules().check(
            FileSlot::Document,
            "photo.jpg",
            HEIC.len() as u64,
            HEIC,
            HEIC,
        );
        assert!(
            matches!(result, Err(FileProblem::TypeNotAllowed { detected: Some(ref d), .. }) if d == "heif")
        );
    }

    #[test]
    fn check_rejects_accepted_type_in_wrong_slot() {
        let result = rules().check(FileSlot::Media, "a.pdf", PDF.len() as u64, PDF, PDF);
        assert_eq!(
            result,
            Err(FileProblem::WrongSlot {
                slot: FileSlot::Media,
                file_name: "a.pdf".into(),
                kind: FileKind::Pdf
            })
        );
        let result = rules().check(FileSlot::Document, "v.mp4", MP4.len() as u64, MP4, MP4);
        assert!(matches!(
            result,
            Err(FileProblem::WrongSlot {
                kind: FileKind::Mp4,
                ..
            })
        ));
    }

    #[test]
    fn check_rejects_truncated_pdf_and_png() {
        let cut = &PDF[..PDF.len() - 8];
        let result = rules().check(FileSlot::Document, "cut.pdf", cut.len() as u64, cut, cut);
        assert!(matches!(
            result,
            Err(FileProblem::Incomplete {
                kind: FileKind::Pdf,
                ..
            })
        ));
        let result = rules().check(FileSlot::Document, "cut.png", 100, PNG_HEAD, &PNG_TAIL[..8]);
        assert!(matches!(
            result,
            Err(FileProblem::Incomplete {
                kind: FileKind::Png,
                ..
            })
        ));
        assert_eq!(
            rules().check(FileSlot::Document, "ok.png", 100, PNG_HEAD, PNG_TAIL),
            Ok(FileKind::Png)
        );
    }

    #[test]
    fn limits_come_from_the_rules() {
        let old = FileRules {
            document_max_bytes: 2 * MIB,
            media_max_bytes: 5 * MIB,
        };
        assert!(
            old.check(FileSlot::Document, "a.pdf", 2 * MIB + 1, PDF, PDF)
                .is_err()
        );
        assert!(
            rules()
                .check(FileSlot::Document, "a.pdf", 2 * MIB + 1, PDF, PDF)
                .is_ok()
        );
    }

    #[test]
    fn format_size_uses_binary_units() {
        assert_eq!(format_size(4 * MIB), "4 MB");
        assert_eq!(format_size(10 * MIB), "10 MB");
        assert_eq!(format_size(MIB + MIB / 2), "1.5 MB");
        assert_eq!(format_size(2048), "2 KB");
        assert_eq!(format_size(12), "12 B");
    }

    #[test]
    fn clean_file_name_keeps_chinese_emoji_and_punctuation() {
        let name = "期末報告 🎉 O'Brien #1.pdf";
        assert_eq!(clean_file_name(name, "file"), name);
    }

    #[test]
    fn clean_file_name_drops_directories_and_controls() {
        assert_eq!(
            clean_file_name("C:\\Users\\me\\報告.pdf", "file"),
            "報告.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd", "file"), "passwd");
        assert_eq!(
            clean_file_name("a\u{0}b\u{202E}gpj.exe", "file"),
            "abgpj.exe"
        );
        assert_eq!(clean_file_name("  ", "file"), "file");
        assert_eq!(clean_file_name("..", "file"), "file");
    }

    #[test]
    fn clean_file_name_keeps_200_characters_and_shortens_longer_names() {
        let long200 = format!("{}.pdf", "學".repeat(196));
        assert_eq!(clean_file_name(&long200, "file"), long200);
        let long300 = format!("{}.pdf", "習".repeat(296));
        let cleaned = clean_file_name(&long300, "file");
        assert_eq!(cleaned.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cleaned.ends_with("….pdf"));
    }

    #[test]
    fn content_disposition_encodes_utf8_name() {
        let value = content_disposition(false, "報告 #1's.pdf");
        assert_eq!(
            value,
            "attachment; filename=\"__ #1's.pdf\"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20#1%27s.pdf"
        );
        assert!(content_disposition(true, "a.pdf").starts_with("inline; "));
    }

    #[test]
    fn content_disposition_escapes_quotes_in_fallback() {
        let value = content_disposition(true, "a\"b\\c.pdf");
        assert!(value.contains("filename=\"a_b_c.pdf\""), "{value}");
        assert!(value.contains("filename*=UTF-8''a%22b%5Cc.pdf"), "{value}");
    }
}
