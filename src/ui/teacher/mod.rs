//! The course teacher's pages.

pub mod certify;
mod query;
