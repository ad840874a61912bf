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
use sha2::{Digest, Sha256};

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

/// A temporary file that is hashed and written on the blocking thread pool while the next
/// chunks arrive. Chunks that arrive during a write wait in a queue of up to
/// [`MAX_QUEUED_BYTES`] and go to the disk together, so a fast upload takes few trips to the
/// pool. A slow upload keeps only the chunk in flight, so hundreds of them at once stay small
/// (docs/benchmarks.md). On Linux the sink starts the writeback of each mebibyte once it is
/// written, so less is left for the fsync at the end.
pub(crate) struct FileSink {
    state: SinkState,
    queued: Vec<Bytes>,
    queued_bytes: usize,
    size: u64,
}

/// Bytes held in memory for one upload while its file is being written.
const MAX_QUEUED_BYTES: usize = 256 * 1024;

/// Bytes written between two starts of writeback.
const WRITEBACK_STEP: u64 = 1024 * 1024;

struct OpenFile {
    file: std::fs::File,
    hasher: Sha256,
    /// Bytes written so far.
    written: u64,
    /// Bytes whose writeback has been started.
    writeback_started: u64,
}

impl OpenFile {
    /// Hashes and writes `chunk`, and starts the writeback of each full step.
    fn write_chunk(&mut self, chunk: &[u8]) -> io::Result<()> {
        use std::io::Write;
        self.hasher.update(chunk);
        self.file.write_all(chunk)?;
        self.written += chunk.len() as u64;
        if self.written - self.writeback_started >= WRITEBACK_STEP {
            self.start_writeback();
        }
        Ok(())
    }

    /// Starts the writeback of the bytes written since the last call, without waiting for it
    /// (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`). Only the fsync in [`FileSink::close`]
    /// makes the file durable, so a failure here is logged and otherwise ignored.
    fn start_writeback(&mut self) {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let (Ok(offset), Ok(length)) = (
                libc::off64_t::try_from(self.writeback_started),
                libc::off64_t::try_from(self.written - self.writeback_started),
            ) else {
                return;
            };
            // SAFETY: the descriptor belongs to `self.file`, which is open for the call.
            let result = unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    offset,
                    length,
                    libc::SYNC_FILE_RANGE_WRITE,
                )
            };
            if result != 0 {
                tracing::debug!(
                    error = %io::Error::last_os_error(),
                    offset,
                    length,
                    "failed to start writeback; the fsync at close still makes the file durable"
                );
            }
        }
        self.writeback_started = self.written;
    }
}

enum SinkState {
    Idle(OpenFile),
    Writing(tokio::task::JoinHandle<(OpenFile, io::Result<()>)>),
    Closed,
}

/// The SHA-256 (lower-case hex) and size in bytes of a file that [`FileSink::close`] wrote.
pub(crate) struct Written {
    pub sha256: String,
    pub size: u64,
}

impl FileSink {
    pub(crate) fn new(file: std::fs::File) -> Self {
        FileSink {
            state: SinkState::Idle(OpenFile {
                file,
                hasher: Sha256::new(),
                written: 0,
                writeback_started: 0,
            }),
            queued: Vec::new(),
            queued_bytes: 0,
            size: 0,
        }
    }

    /// Waits for the write in progress, and returns the file.
    async fn idle(&mut self) -> io::Result<OpenFile> {
        match std::mem::replace(&mut self.state, SinkState::Closed) {
            SinkState::Idle(open) => Ok(open),
            SinkState::Writing(write) => {
                let (open, result) = write.await.map_err(io::Error::other)?;
                result.map(|()| open)
            }
            SinkState::Closed => Err(io::Error::other("writer already finished")),
        }
    }

    /// Queues `chunk` while a write is running and the queue has room. Otherwise waits for
    /// that write and starts writing the queue and `chunk`. A failed write is returned by a
    /// later call or by `close`.
    pub(crate) async fn write(&mut self, chunk: Bytes) -> io::Result<()> {
        self.size += chunk.len() as u64;
        if let SinkState::Writing(write) = &self.state
            && !write.is_finished()
            && self.queued_bytes + chunk.len() <= MAX_QUEUED_BYTES
        {
            self.queued_bytes += chunk.len();
            self.queued.push(chunk);
            return Ok(());
        }
        self.queued.push(chunk);
        self.flush().await
    }

    /// Waits for the write in progress and starts hashing and writing the queue.
    async fn flush(&mut self) -> io::Result<()> {
        let mut open = self.idle().await?;
        let chunks = std::mem::take(&mut self.queued);
        self.queued_bytes = 0;
        self.state = SinkState::Writing(tokio::task::spawn_blocking(move || {
            let result = chunks.iter().try_for_each(|chunk| open.write_chunk(chunk));
            (open, result)
        }));
        Ok(())
    }

    /// Writes what is queued and, when `durable`, flushes the file to the disk.
    pub(crate) async fn close(&mut self, durable: bool) -> io::Result<Written> {
        if !self.queued.is_empty() {
            self.flush().await?;
        }
        let OpenFile { file, hasher, .. } = self.idle().await?;
        if durable {
            tokio::task::spawn_blocking(move || file.sync_all())
                .await
                .map_err(io::Error::other)??;
        }
        Ok(Written {
            sha256: hex::encode(hasher.finalize()),
            size: self.size,
        })
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
    async fn file_sink_writes_queued_chunks_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("object.part");
        let mut sink = FileSink::new(std::fs::File::create(&path).unwrap());
        // Chunks sent back to back queue behind the running write, and some overflow the queue.
        let chunks: Vec<Vec<u8>> = (0..200u32)
            .map(|n| vec![(n % 251) as u8; 1 + (n as usize * 997) % 9000])
            .collect();
        for chunk in &chunks {
            sink.write(Bytes::from(chunk.clone())).await.unwrap();
        }
        let written = sink.close(true).await.unwrap();
        let bytes = chunks.concat();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert_eq!(written.size, bytes.len() as u64);
        assert_eq!(written.sha256, hex::encode(Sha256::digest(&bytes)));
    }

    #[test]
    fn file_sink_starts_writeback_every_step() {
        let dir = tempfile::tempdir().unwrap();
        let mut open = OpenFile {
            file: std::fs::File::create(dir.path().join("object.part")).unwrap(),
            hasher: Sha256::new(),
            written: 0,
            writeback_started: 0,
        };
        let chunk = vec![7u8; 64 * 1024];
        let chunks_per_step = (WRITEBACK_STEP / chunk.len() as u64) as usize;
        for _ in 0..chunks_per_step - 1 {
            open.write_chunk(&chunk).unwrap();
        }
        assert_eq!(open.writeback_started, 0, "less than a step waits");

        open.write_chunk(&chunk).unwrap();
        assert_eq!(open.writeback_started, WRITEBACK_STEP);

        for _ in 0..chunks_per_step + 3 {
            open.write_chunk(&chunk).unwrap();
        }
        assert_eq!(open.writeback_started, 2 * WRITEBACK_STEP);
        assert_eq!(open.written, 2 * WRITEBACK_STEP + 3 * chunk.len() as u64);
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
