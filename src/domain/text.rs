//! Validated free text: the 簡述 of an outcome and the reason given for 不通過.

use serde::{Deserialize, Serialize};

/// The national limit on a 簡述, in characters.
pub const SUMMARY_MAX_CHARS: usize = 100;
/// Longest reason a teacher may give for 不通過, in characters.
pub const REASON_MAX_CHARS: usize = 500;

/// Why a text was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextProblem {
    Missing,
    TooLong { length: usize, max: usize },
}

/// A 簡述: plain text, required, at most [`SUMMARY_MAX_CHARS`] characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Summary(String);

impl Summary {
    pub fn parse(raw: &str) -> Result<Self, TextProblem> {
        parse_plain_text(raw, SUMMARY_MAX_CHARS).map(Summary)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The reason for 不通過: required, at most [`REASON_MAX_CHARS`] characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FailReason(String);

impl FailReason {
    pub fn parse(raw: &str) -> Result<Self, TextProblem> {
        parse_plain_text(raw, REASON_MAX_CHARS).map(FailReason)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Normalises line breaks to `\n`, drops other control characters, trims, and checks the length
/// in Unicode characters (a Chinese character or an emoji counts as one).
fn parse_plain_text(raw: &str, max: usize) -> Result<String, TextProblem> {
    let normalised = raw.replace("\r\n", "\n").replace('\r', "\n");
    let cleaned: String = normalised
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        return Err(TextProblem::Missing);
    }
    let length = trimmed.chars().count();
    if length > max {
        return Err(TextProblem::TooLong { length, max });
    }
    Ok(trimmed.to_owned())
}

/// Returns the character count the way the server counts it, for live counters in forms.
pub fn char_count(text: &str) -> usize {
    text.trim().chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_accepts_100_chinese_characters() {
        let text = "學".repeat(100);
        assert_eq!(Summary::parse(&text).unwrap().as_str(), text);
    }

    #[test]
    fn summary_rejects_101_characters() {
        let text = "習".repeat(101);
        assert_eq!(
            Summary::parse(&text),
            Err(TextProblem::TooLong {
                length: 101,
                max: 100
            })
        );
    }

    #[test]
    fn summary_rejects_missing_or_blank() {
        assert_eq!(Summary::parse(""), Err(TextProblem::Missing));
        assert_eq!(Summary::parse(" \n\t "), Err(TextProblem::Missing));
    }

    #[test]
    fn summary_counts_emoji_as_one_character() {
        let text = format!("{}🎉", "a".repeat(99));
        assert!(Summary::parse(&text).is_ok());
    }

    #[test]
    fn summary_trims_and_normalises_line_breaks() {
        assert_eq!(
            Summary::parse("  第一行\r\n第二行\u{7} ").unwrap().as_str(),
            "第一行\n第二行"
        );
    }

    #[test]
    fn fail_reason_is_required() {
        assert_eq!(FailReason::parse("   "), Err(TextProblem::Missing));
        assert!(FailReason::parse("檔案內容與本課程無關").is_ok());
    }
}
