//! Components and pages. No SQL here: pages call the server functions in `api`, and uploads
//! go to the streaming route.

pub mod account;
pub mod admin;
pub mod browser;
pub mod components;
pub mod errors;
pub mod format;
pub mod homeroom;
pub mod login;
pub mod nav;
pub mod notifications;
pub mod recovery;
pub mod session;
pub mod student;
pub mod teacher;
