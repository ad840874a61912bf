//! What the pages need from the browser beyond Leptos: uploads with progress, reading the first
//! and last bytes of a chosen file, the live event stream, and modal dialogs.
//!
//! The real implementation is compiled for the browser (`hydrate`). On the server the same
//! functions exist but are never reached, because event handlers and effects run only in the
//! browser; they report that instead of doing anything.

#[cfg(feature = "hydrate")]
mod web;
#[cfg(feature = "hydrate")]
pub use web::*;

#[cfg(not(feature = "hydrate"))]
mod inert;
#[cfg(not(feature = "hydrate"))]
pub use inert::*;

/// A file chosen in a file input, with the bytes the upload rules look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChosenFile {
    pub name: String,
    pub size: u64,
    pub head: Vec<u8>,
    pub tail: Vec<u8>,
}
