//! `GET /events`: a server-sent event stream that tells a logged-in page its unread
//! notification count now and whenever it changes, so the red bubble updates in every open
//! tab without a reload. The stream ends when the session does.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::server::auth::CurrentUser;
use crate::server::error::ApiError;
use crate::server::services::notifications;
use crate::server::state::{AppState, Change};

/// The payload of an `unread` event.
#[derive(serde::Serialize)]
struct Unread {
    unread: u64,
}

pub async fn stream(State(state): State<AppState>, headers: HeaderMap) -> Response {
    // A first password still gets the unread count, because the `session` server function
    // returns it too. The page's bell opens this stream for every logged-in user.
    let user = match CurrentUser::require_with_first_password(&state, &headers).await {
        Ok(user) => user,
        Err(error) => return ApiError(error).into_response(),
    };
    Sse::new(events(state, headers, user))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}

fn events(
    state: AppState,
    headers: HeaderMap,
    user: CurrentUser,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut receiver = state.notifier.subscribe();
    async_stream(move |emit| async move {
        loop {
            // Re-check the session on every change, so a logout ends the stream.
            match CurrentUser::from_headers(&state, &headers).await {
                Ok(Some(_)) => {}
                _ => break,
            }
            match notifications::unread_count(&state, &user).await {
                Ok(unread) => {
                    let event = Event::default()
                        .event("unread")
                        .json_data(Unread { unread });
                    match event {
                        Ok(event) => {
                            if emit.send(Ok(event)).await.is_err() {
                                break;
                            }
                        }
                        Err(error) => tracing::warn!(%error, "could not encode an event"),
                    }
                }
                Err(_) => break,
            }
            // Wait for a change of this user (a lagging receiver re-reads the count anyway), or
            // stop when the browser goes away.
            loop {
                tokio::select! {
                    _ = emit.closed() => return,
                    received = receiver.recv() => match received {
                        Ok(Change::User(changed)) if changed == user.user_id => break,
                        Ok(Change::User(_)) => continue,
                        Ok(Change::Everyone) => break,
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => return,
                    },
                }
            }
        }
    })
}

/// Turns a producer that sends into a channel into a stream; the producer stops when the
/// client goes away and the channel closes.
fn async_stream<F, Fut>(producer: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(8);
    tokio::spawn(producer(sender));
    tokio_stream::wrappers::ReceiverStream::new(receiver)
}
