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
    /// Appends `chunk`. The writer takes the chunk itself, so the bytes are written without
    /// another copy and freed once on disk.
    fn write(&mut self, chunk: Bytes) -> BoxFuture<'_, io::Result<()>>;

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

/// A temporary file written on the blocking thread pool, one chunk at a time. A chunk is
/// written while the next one arrives, and no buffer stays allocated between chunks, so
/// hundreds of slow uploads at once hold only the chunks in flight (docs/benchmarks.md).
pub(crate) struct FileSink {
    state: SinkState,
}

enum SinkState {
    Idle(std::fs::File),
    Writing(tokio::task::JoinHandle<(std::fs::File, io::Result<()>)>),
    Closed,
}

impl FileSink {
    pub(crate) fn new(file: std::fs::File) -> Self {
        FileSink {
            state: SinkState::Idle(file),
        }
    }

    /// Waits for the chunk being written, and returns the file.
    async fn idle(&mut self) -> io::Result<std::fs::File> {
        match std::mem::replace(&mut self.state, SinkState::Closed) {
            SinkState::Idle(file) => Ok(file),
            SinkState::Writing(write) => {
                let (file, result) = write.await.map_err(io::Error::other)?;
                result.map(|()| file)
            }
            SinkState::Closed => Err(io::Error::other("writer already finished")),
        }
    }

    /// Starts writing `chunk` once the chunk before it is written. A failed write of the
    /// earlier chunk is returned here, and one of this chunk by the next call or by `close`.
    pub(crate) async fn write(&mut self, chunk: Bytes) -> io::Result<()> {
        use std::io::Write;
        let mut file = self.idle().await?;
        self.state = SinkState::Writing(tokio::task::spawn_blocking(move || {
            let result = file.write_all(&chunk);
            (file, result)
        }));
        Ok(())
    }

    /// Waits for the last chunk and, when `durable`, flushes the file to the disk.
    pub(crate) async fn close(&mut self, durable: bool) -> io::Result<()> {
        let file = self.idle().await?;
        if durable {
            tokio::task::spawn_blocking(move || file.sync_all())
                .await
                .map_err(io::Error::other)??;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_sink_writes_chunks_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("object.part");
        let mut sink = FileSink::new(std::fs::File::create(&path).unwrap());
        for chunk in ["學習", "歷程", "檔案"] {
            sink.write(Bytes::from(chunk)).await.unwrap();
        }
        sink.close(true).await.unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "學習歷程檔案");
    }

    #[tokio::test]
    async fn file_sink_failed_write_then_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("read-only.part");
        std::fs::write(&path, b"").unwrap();
        // A file opened only for reading makes every write fail.
        let mut sink = FileSink::new(std::fs::File::open(&path).unwrap());
        sink.write(Bytes::from_static(b"bytes")).await.unwrap();
        assert!(
            sink.close(true).await.is_err(),
            "the failed write is reported"
        );
        assert!(sink.write(Bytes::from_static(b"more")).await.is_err());
    }
}
