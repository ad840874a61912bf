//! Page sizes and the range text `顯示 11–20 / 共 57 筆`.

use serde::{Deserialize, Serialize};

/// The page sizes offered; the first is the default.
pub const PAGE_SIZES: [u32; 4] = [10, 20, 50, 100];

/// A requested page, 1-based, already limited to an offered size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: PAGE_SIZES[0],
        }
    }
}

impl PageRequest {
    /// Builds a request from untrusted query values: an unknown size falls back to the default
    /// and a page below 1 to the first.
    pub fn new(page: u32, per_page: u32) -> Self {
        let per_page = if PAGE_SIZES.contains(&per_page) {
            per_page
        } else {
            PAGE_SIZES[0]
        };
        PageRequest {
            page: page.max(1),
            per_page,
        }
    }

    /// Moves the page back to the last one that has rows, so that a page emptied by publishing
    /// or a narrower filter shows the rows that remain instead of nothing.
    pub fn clamp_to(self, total: u64) -> Self {
        let last = last_page(total, self.per_page);
        PageRequest {
            page: self.page.min(last),
            per_page: self.per_page,
        }
    }

    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

/// Returns the last page number for `total` rows; an empty list has one empty page.
pub fn last_page(total: u64, per_page: u32) -> u32 {
    let pages = total.div_ceil(u64::from(per_page.max(1)));
    u32::try_from(pages.max(1)).unwrap_or(u32::MAX)
}

/// The rows a page shows, 1-based and inclusive, out of `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRange {
    pub first: u64,
    pub last: u64,
    pub total: u64,
}

impl PageRange {
    /// Computes the range of an already clamped page.
    pub fn of(request: PageRequest, total: u64) -> Self {
        if total == 0 {
            return PageRange {
                first: 0,
                last: 0,
                total,
            };
        }
        let first = request.offset() + 1;
        let last = (request.offset() + u64::from(request.per_page)).min(total);
        PageRange {
            first: first.min(total),
            last,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_of_a_middle_page() {
        let range = PageRange::of(PageRequest::new(2, 10), 57);
        assert_eq!(
            range,
            PageRange {
                first: 11,
                last: 20,
                total: 57
            }
        );
    }

    #[test]
    fn range_of_the_last_partial_page() {
        let range = PageRange::of(PageRequest::new(6, 10), 57);
        assert_eq!(
            range,
            PageRange {
                first: 51,
                last: 57,
                total: 57
            }
        );
    }

    #[test]
    fn page_past_the_end_moves_back_to_the_last_page() {
        // Page 6 of 57 rows, then 10 rows leave the filter: 47 rows have 5 pages.
        let request = PageRequest::new(6, 10).clamp_to(47);
        assert_eq!(request.page, 5);
        assert_eq!(
            PageRange::of(request, 47),
            PageRange {
                first: 41,
                last: 47,
                total: 47
            }
        );
    }

    #[test]
    fn empty_list_has_one_empty_page() {
        let request = PageRequest::new(3, 10).clamp_to(0);
        assert_eq!(request.page, 1);
        assert_eq!(
            PageRange::of(request, 0),
            PageRange {
                first: 0,
                last: 0,
                total: 0
            }
        );
    }

    #[test]
    fn unknown_page_size_falls_back_to_default() {
        assert_eq!(
            PageRequest::new(0, 7),
            PageRequest {
                page: 1,
                per_page: 10
            }
        );
        assert_eq!(PageRequest::new(2, 50).per_page, 50);
    }

    #[test]
    fn last_page_rounds_up() {
        assert_eq!(last_page(57, 10), 6);
        assert_eq!(last_page(60, 10), 6);
        assert_eq!(last_page(61, 10), 7);
        assert_eq!(last_page(0, 10), 1);
    }
}
