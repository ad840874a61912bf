//! The certification list's filters in the address bar, so a reload or a shared link shows the
//! same list.

use leptos_router::params::ParamsMap;

use crate::domain::calendar::SemesterCode;
use crate::domain::ids::{HomeroomId, SubjectId};
use crate::domain::outcome::ReviewFilter;
use crate::domain::paging::PageRequest;
use crate::domain::views::ReviewQuery;

/// Reads the filters from the query string; anything unreadable means "no filter".
pub fn from_params(params: &ParamsMap) -> ReviewQuery {
    let number = |name: &str| params.get(name).and_then(|value| value.parse::<u32>().ok());
    ReviewQuery {
        semester: params
            .get("semester")
            .and_then(|value| value.parse::<SemesterCode>().ok()),
        state: params
            .get("state")
            .and_then(|value| ReviewFilter::parse(&value))
            .unwrap_or_default(),
        homeroom: params
            .get("homeroom")
            .and_then(|value| value.parse::<HomeroomId>().ok()),
        subject: params
            .get("subject")
            .and_then(|value| value.parse::<SubjectId>().ok()),
        page: PageRequest::new(number("page").unwrap_or(1), number("per_page").unwrap_or(0)),
    }
}

/// Writes the filters as a query string, leaving defaults out.
pub fn to_href(query: &ReviewQuery) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(code) = query.semester {
        pairs.push(("semester".into(), code.to_string()));
    }
    if query.state != ReviewFilter::All {
        pairs.push(("state".into(), query.state.as_str().into()));
    }
    if let Some(homeroom) = query.homeroom {
        pairs.push(("homeroom".into(), homeroom.to_string()));
    }
    if let Some(subject) = query.subject {
        pairs.push(("subject".into(), subject.to_string()));
    }
    if query.page.page > 1 {
        pairs.push(("page".into(), query.page.page.to_string()));
    }
    if query.page.per_page != PageRequest::default().per_page {
        pairs.push(("per_page".into(), query.page.per_page.to_string()));
    }
    if pairs.is_empty() {
        return "/teacher/certify".into();
    }
    let text: Vec<String> = pairs
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    format!("/teacher/certify?{}", text.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{SchoolYear, Semester};

    #[test]
    fn query_round_trips_through_href() {
        let query = ReviewQuery {
            semester: Some(SemesterCode::new(SchoolYear(113), Semester::First)),
            state: ReviewFilter::Undecided,
            homeroom: Some(HomeroomId(2)),
            subject: Some(SubjectId(5)),
            page: PageRequest::new(3, 20),
        };
        let href = to_href(&query);
        assert_eq!(
            href,
            "/teacher/certify?semester=1131&state=undecided&homeroom=2&subject=5&page=3&per_page=20"
        );
        let mut params = ParamsMap::new();
        for pair in href.split_once('?').unwrap().1.split('&') {
            let (name, value) = pair.split_once('=').unwrap();
            params.insert(name.to_owned(), value.to_owned());
        }
        assert_eq!(from_params(&params), query);
    }

    #[test]
    fn defaults_give_a_bare_href() {
        assert_eq!(to_href(&ReviewQuery::default()), "/teacher/certify");
        assert_eq!(from_params(&ParamsMap::new()), ReviewQuery::default());
    }
}
