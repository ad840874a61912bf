//! The student's pages.

pub mod detail;
pub mod outcomes;
pub mod submissions;
pub mod upload;
