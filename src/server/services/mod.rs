//! The use cases. Each function checks the caller's role, owns its transaction, and writes
//! the audit and notification rows of a change in the same transaction as the change.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod auth;
pub mod backups;
pub mod certification;
pub mod delegations;
pub mod demo;
pub mod homeroom;
pub mod imports;
pub mod notifications;
pub mod outcomes;
pub mod recovery;
pub mod selection;
pub mod submissions;
pub mod windows;
