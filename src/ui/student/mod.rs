//! The student's pages.

pub mod detail;
pub mod outcomes;
pub mod upload;
