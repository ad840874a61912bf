//! Browser implementations, built with `web-sys`.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use leptos::html;
use leptos::prelude::{Get, NodeRef};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{EventSource, FormData, MessageEvent, ProgressEvent, XmlHttpRequest};

use super::ChosenFile;
use crate::domain::AppError;
use crate::domain::files::{SNIFF_LEN, TAIL_LEN};
use crate::domain::views::Saved;

/// Reads the name, size, first and last bytes of the file chosen in `input`.
pub async fn read_chosen_file(input: NodeRef<html::Input>) -> Option<ChosenFile> {
    let input = input.get()?;
    let file = input.files()?.get(0)?;
    let size = file.size() as u64;
    let head = read_slice(&file, 0.0, (SNIFF_LEN as f64).min(size as f64)).await?;
    let tail_start = size.saturating_sub(TAIL_LEN as u64) as f64;
    let tail = read_slice(&file, tail_start, size as f64).await?;
    Some(ChosenFile {
        name: file.name(),
        size,
        head,
        tail,
    })
}

async fn read_slice(file: &web_sys::File, start: f64, end: f64) -> Option<Vec<u8>> {
    let blob = file.slice_with_f64_and_f64(start, end).ok()?;
    let buffer = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Sends `form` as multipart to `url` with XMLHttpRequest, which, unlike fetch, reports upload
/// progress. Calls `on_progress` with 0.0–1.0 and returns the server's response.
pub async fn upload_form(
    url: String,
    form: NodeRef<html::Form>,
    on_progress: impl Fn(f64) + 'static,
) -> Result<Saved, AppError> {
    send_form(url, form, &[], on_progress).await
}

/// Sends `form` as multipart to `url`, with `extra` text fields added after the form's own,
/// and returns the server's JSON response.
pub async fn post_form_json<T: serde::de::DeserializeOwned>(
    url: String,
    form: NodeRef<html::Form>,
    extra: &[(&str, &str)],
) -> Result<T, AppError> {
    send_form(url, form, extra, |_| {}).await
}

/// Returns whether a file is chosen in `input`.
pub fn has_chosen_file(input: NodeRef<html::Input>) -> bool {
    input
        .get()
        .and_then(|input| input.files())
        .is_some_and(|files| files.length() > 0)
}

async fn send_form<T: serde::de::DeserializeOwned>(
    url: String,
    form: NodeRef<html::Form>,
    extra: &[(&str, &str)],
    on_progress: impl Fn(f64) + 'static,
) -> Result<T, AppError> {
    let network = |what: &str| AppError::Network(what.to_owned());
    let form = form.get().ok_or_else(|| network("form missing"))?;
    let data = FormData::new_with_form(&form).map_err(|_| network("cannot read the form"))?;
    for (name, value) in extra {
        data.append_with_str(name, value)
            .map_err(|_| network("cannot add a form field"))?;
    }
    let request = XmlHttpRequest::new().map_err(|_| network("XMLHttpRequest unavailable"))?;
    request
        .open("POST", &url)
        .map_err(|_| network("cannot open the request"))?;
    request
        .set_request_header("Accept", "application/json")
        .map_err(|_| network("cannot set a header"))?;

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            on_progress(event.loaded() / event.total());
        }
    });
    request
        .upload()
        .map_err(|_| network("upload progress unavailable"))?
        .set_onprogress(Some(progress.as_ref().unchecked_ref()));

    let (sender, receiver) = oneshot::channel::<()>();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let done = {
        let sender = sender.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(());
            }
        })
    };
    request.set_onloadend(Some(done.as_ref().unchecked_ref()));
    request
        .send_with_opt_form_data(Some(&data))
        .map_err(|_| network("cannot send the request"))?;
    let _ = receiver.await;
    drop(progress);
    drop(done);

    let status = request.status().unwrap_or(0);
    let body = request.response_text().ok().flatten().unwrap_or_default();
    if status == 0 {
        return Err(AppError::UploadAborted);
    }
    if (200..300).contains(&status) {
        serde_json::from_str::<T>(&body).map_err(|error| network(&error.to_string()))
    } else {
        Err(serde_json::from_str::<AppError>(&body)
            .unwrap_or_else(|_| network(&format!("HTTP {status}"))))
    }
}

/// The page's live event stream, kept open for the life of the page.
struct EventStream {
    _source: EventSource,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

thread_local! {
    static EVENT_STREAM: RefCell<Option<EventStream>> = const { RefCell::new(None) };
}

/// Opens `/events`, unless already open, and calls `on_unread` with each unread count it
/// announces. The browser reconnects by itself after a network drop.
pub fn open_event_stream(on_unread: impl Fn(u64) + 'static) {
    if EVENT_STREAM.with_borrow(Option::is_some) {
        return;
    }
    if let Some(stream) = new_event_stream(on_unread) {
        EVENT_STREAM.set(Some(stream));
    }
}

fn new_event_stream(on_unread: impl Fn(u64) + 'static) -> Option<EventStream> {
    let source = EventSource::new("/events").ok()?;
    let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(text) = event.data().as_string()
            && let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
            && let Some(unread) = value.get("unread").and_then(serde_json::Value::as_u64)
        {
            on_unread(unread);
        }
    });
    source
        .add_event_listener_with_callback("unread", listener.as_ref().unchecked_ref())
        .ok()?;
    Some(EventStream {
        _source: source,
        _listener: listener,
    })
}

pub fn show_modal(dialog: NodeRef<html::Dialog>) {
    if let Some(dialog) = dialog.get()
        && !dialog.open()
    {
        let _ = dialog.show_modal();
    }
}

pub fn close_modal(dialog: NodeRef<html::Dialog>) {
    if let Some(dialog) = dialog.get() {
        dialog.close();
    }
}

/// Submits the form around the event's target as if its submit button were pressed, so the
/// form's submit handlers run.
pub fn submit_enclosing_form(event: &web_sys::Event) {
    let form = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|element| element.closest("form").ok().flatten())
        .and_then(|form| form.dyn_into::<web_sys::HtmlFormElement>().ok());
    if let Some(form) = form {
        let _ = form.request_submit();
    }
}

/// Marks the page as interactive; end-to-end tests wait for `body[data-hydrated]`.
pub fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// Stores a preference cookie for a year, readable by the server on the next page load.
pub fn set_cookie(name: &str, value: &str) {
    let document = web_sys::window().and_then(|window| window.document());
    if let Some(document) =
        document.and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok())
    {
        let _ = document.set_cookie(&format!(
            "{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax"
        ));
    }
}

/// Loads the current page again from the server.
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Loads `path` as a new page, so everything shown is fresh from the server.
pub fn go_to(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}

/// Opens the browser's print dialog for the page.
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
