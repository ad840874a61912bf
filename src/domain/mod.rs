//! Types and rules shared by the server and the browser. Nothing here does IO or knows about
//! SQL, HTTP or the UI, so every rule can be unit-tested and reused on both sides.

pub mod accounts;
pub mod admin_inputs;
pub mod calendar;
pub mod delegation;
pub mod error;
mod error_json;
pub mod files;
pub mod homeroom;
pub mod ids;
pub mod imports;
pub mod national_id;
pub mod notification;
pub mod outcome;
pub mod paging;
pub mod password;
pub mod recovery;
pub mod role;
pub mod text;
pub mod views;
pub mod window;

pub use error::AppError;
