//! The content-addressed file store. Objects are named by the SHA-256 of their bytes, so an
//! identical file is stored once and a stored file can be verified against its name.
//!
//! An upload is written in three steps that keep the promise "acknowledged means durable":
//! [`BlobStore::begin`] streams into a private temporary object while hashing and counting,
//! [`BlobWriter::finish`] makes those bytes durable, and [`StagedBlob::commit`] moves them to
//! their final name durably. Only after `commit` may a database row point at the object.
//! Dropping a writer or a staged blob without committing removes the temporary object.

pub mod local;
pub mod s3;

use std::future::Future;
use std::io;
use std::ops::Range;
use std::pin::Pin;

use bytes::Bytes;
use futures::stream::BoxStream;

pub use local::LocalStore;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The bytes of a stored object, or of a range of it.
pub struct BlobBody {
    /// Size of the whole object in bytes.
    pub total_size: u64,
    pub stream: BoxStream<'static, io::Result<Bytes>>,
}

/// A place that stores objects by their SHA-256.
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Starts writing a new object.
    fn begin(&self) -> BoxFuture<'_, io::Result<Box<dyn BlobWriter>>>;

    /// Opens an object, or the byte range `range` of it (clamped to its size).
    fn open(&self, sha256: &str, range: Option<Range<u64>>) -> BoxFuture<'_, io::Result<BlobBody>>;

    /// Deletes temporary objects left by an earlier process that stopped mid-upload; returns
    /// how many were deleted. Call it before serving.
    fn sweep_temporary(&self) -> BoxFuture<'_, io::Result<usize>>;
}

/// An object being written.
pub trait BlobWriter: Send {
    fn write<'a>(&'a mut self, chunk: &'a [u8]) -> BoxFuture<'a, io::Result<()>>;

    /// Makes the written bytes durable; the object is still temporary.
    fn finish(self: Box<Self>) -> BoxFuture<'static, io::Result<Box<dyn StagedBlob>>>;
}

/// A complete, durable, still temporary object.
pub trait StagedBlob: Send + Sync {
    /// Lower-case hex SHA-256 of the bytes.
    fn sha256(&self) -> &str;

    fn size(&self) -> u64;

    /// Moves the object to its final name durably. An object with that name already holds the
    /// same bytes, so the temporary copy is then dropped.
    fn commit(self: Box<Self>) -> BoxFuture<'static, io::Result<()>>;
}
