//! Server-side stand-ins for the browser functions; see the module documentation.

use leptos::html;
use leptos::prelude::NodeRef;

use super::ChosenFile;
use crate::domain::AppError;
use crate::domain::views::Saved;

fn unavailable() -> AppError {
    AppError::Network("this action needs the page's script, which is not running".into())
}

pub async fn read_chosen_file(_input: NodeRef<html::Input>) -> Option<ChosenFile> {
    None
}

pub async fn upload_form(
    _url: String,
    _form: NodeRef<html::Form>,
    _on_progress: impl Fn(f64) + 'static,
) -> Result<Saved, AppError> {
    Err(unavailable())
}

pub async fn post_form_json<T>(
    _url: String,
    _form: NodeRef<html::Form>,
    _extra: &[(&str, &str)],
) -> Result<T, AppError> {
    Err(unavailable())
}

pub fn has_chosen_file(_input: NodeRef<html::Input>) -> bool {
    false
}

pub fn open_event_stream(_on_unread: impl Fn(u64) + 'static) {}

pub fn show_modal(_dialog: NodeRef<html::Dialog>) {}

pub fn close_modal(_dialog: NodeRef<html::Dialog>) {}

pub fn submit_enclosing_form(_event: &leptos::ev::Event) {}

pub fn mark_hydrated() {}

pub fn go_to(_path: &str) {}

pub fn reload() {}

pub fn set_cookie(_name: &str, _value: &str) {}

pub fn print() {}
