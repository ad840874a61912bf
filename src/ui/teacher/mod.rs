//! The course teacher's pages.

pub mod certify;
pub mod delegations;
mod query;
