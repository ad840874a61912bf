//! The store on a local directory:
//!
//! ```text
//! {root}/tmp/{random}.part           objects being written (0600, deleted at start)
//! {root}/objects/{sha[0..2]}/{sha}   committed objects
//! ```

use std::io::{self, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rand::RngCore;
use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use bytes::Bytes;

use super::{BlobBody, BlobStore, BlobWriter, BoxFuture, FileSink, StagedBlob};

#[derive(Clone, Debug)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// Opens the store under `root`, creating its directories, the 256 shards of `objects`
    /// included, so that an upload does not wait for a new shard and an fsync of `objects`.
    pub async fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("tmp")).await?;
        let objects = root.join("objects");
        let shards = objects.clone();
        tokio::task::spawn_blocking(move || {
            (0..=u8::MAX)
                .try_for_each(|shard| std::fs::create_dir_all(shards.join(format!("{shard:02x}"))))
        })
        .await
        .map_err(io::Error::other)??;
        sync_dir(&objects).await?;
        Ok(LocalStore { root })
    }

    /// Opens the store under `root` for reading, creating nothing (a backup's files, say).
    pub fn open_existing(root: impl Into<PathBuf>) -> Self {
        LocalStore { root: root.into() }
    }

    /// Returns the path of a committed object.
    pub fn object_path(&self, sha256: &str) -> io::Result<PathBuf> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid object name {sha256:?}"),
            ));
        }
        Ok(self.root.join("objects").join(&sha256[..2]).join(sha256))
    }

    fn temp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }
}

impl BlobStore for LocalStore {
    fn begin(&self) -> BoxFuture<'_, io::Result<Box<dyn BlobWriter>>> {
        Box::pin(async move {
            let mut random = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut random);
            let path = self
                .temp_dir()
                .join(format!("{}.part", hex::encode(random)));
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .await?;
            let writer = LocalWriter {
                temp: TempPath(Some(path)),
                file: FileSink::new(file.into_std().await),
                objects: self.root.join("objects"),
            };
            Ok(Box::new(writer) as Box<dyn BlobWriter>)
        })
    }

    fn open(&self, sha256: &str, range: Option<Range<u64>>) -> BoxFuture<'_, io::Result<BlobBody>> {
        let path = self.object_path(sha256);
        Box::pin(async move {
            let mut file = File::open(path?).await?;
            let total_size = file.metadata().await?.len();
            let range = range.unwrap_or(0..total_size);
            let start = range.start.min(total_size);
            let end = range.end.clamp(start, total_size);
            file.seek(SeekFrom::Start(start)).await?;
            let stream = ReaderStream::with_capacity(file.take(end - start), 64 * 1024);
            Ok(BlobBody {
                total_size,
                stream: Box::pin(stream),
            })
        })
    }

    fn sweep_temporary(&self) -> BoxFuture<'_, io::Result<usize>> {
        Box::pin(async move {
            let mut removed = 0;
            let mut entries = fs::read_dir(self.temp_dir()).await?;
            while let Some(entry) = entries.next_entry().await? {
                fs::remove_file(entry.path()).await?;
                removed += 1;
            }
            Ok(removed)
        })
    }
}

/// A temporary file that is deleted when dropped, unless taken.
pub(super) struct TempPath(pub(super) Option<PathBuf>);

impl TempPath {
    pub(super) fn path(&self) -> &Path {
        self.0.as_deref().expect("temporary path already taken")
    }

    pub(super) fn take(&mut self) -> PathBuf {
        self.0.take().expect("temporary path already taken")
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            // An unlink is quick enough to run on the async runtime.
            if let Err(error) = std::fs::remove_file(&path)
                && error.kind() != io::ErrorKind::NotFound
            {
                tracing::warn!(path = %path.display(), %error, "could not remove temporary upload");
            }
        }
    }
}

struct LocalWriter {
    temp: TempPath,
    file: FileSink,
    objects: PathBuf,
}

impl BlobWriter for LocalWriter {
    fn write(&mut self, chunk: Bytes) -> BoxFuture<'_, io::Result<()>> {
        Box::pin(self.file.write(chunk))
    }

    fn finish(mut self: Box<Self>) -> BoxFuture<'static, io::Result<Box<dyn StagedBlob>>> {
        Box::pin(async move {
            let written = self.file.close(true).await?;
            let temp = TempPath(Some(self.temp.take()));
            Ok(Box::new(LocalStaged {
                temp,
                sha256: written.sha256,
                size: written.size,
                objects: self.objects.clone(),
            }) as Box<dyn StagedBlob>)
        })
    }
}

struct LocalStaged {
    temp: TempPath,
    sha256: String,
    size: u64,
    objects: PathBuf,
}

impl StagedBlob for LocalStaged {
    fn sha256(&self) -> &str {
        &self.sha256
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn commit(mut self: Box<Self>) -> BoxFuture<'static, io::Result<()>> {
        Box::pin(async move {
            let shard = self.objects.join(&self.sha256[..2]);
            let target = shard.join(&self.sha256);
            if fs::try_exists(&target).await? {
                // The same bytes are already stored; the temporary copy is deleted on drop.
                return Ok(());
            }
            let new_shard = !fs::try_exists(&shard).await?;
            if new_shard {
                fs::create_dir_all(&shard).await?;
            }
            fs::rename(self.temp.path(), &target).await?;
            self.temp.take();
            sync_dir(&shard).await?;
            if new_shard {
                sync_dir(&self.objects).await?;
            }
            Ok(())
        })
    }
}

/// Makes a rename or a new entry in `dir` durable.
async fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use sha2::{Digest, Sha256};

    async fn read_all(store: &LocalStore, sha256: &str, range: Option<Range<u64>>) -> Vec<u8> {
        let body = store.open(sha256, range).await.unwrap();
        let chunks: Vec<bytes::Bytes> = body.stream.try_collect().await.unwrap();
        chunks.concat()
    }

    fn temp_files(root: &Path) -> usize {
        std::fs::read_dir(root.join("tmp")).unwrap().count()
    }

    #[tokio::test]
    async fn commit_stores_object_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).await.unwrap();
        let mut writer = store.begin().await.unwrap();
        writer.write(Bytes::from_static(b"hello ")).await.unwrap();
        writer.write(Bytes::from("學習歷程")).await.unwrap();
        let staged = writer.finish().await.unwrap();
        let expected = hex::encode(Sha256::digest("hello 學習歷程".as_bytes()));
        assert_eq!(staged.sha256(), expected);
        assert_eq!(staged.size(), 18);
        staged.commit().await.unwrap();
        assert_eq!(
            read_all(&store, &expected, None).await,
            "hello 學習歷程".as_bytes()
        );
        assert_eq!(temp_files(dir.path()), 0);
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(store.object_path(&expected).unwrap())
                .unwrap()
                .permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
    }

    #[tokio::test]
    async fn dropped_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).await.unwrap();
        let mut writer = store.begin().await.unwrap();
        writer.write(Bytes::from_static(b"partial")).await.unwrap();
        assert_eq!(temp_files(dir.path()), 1);
        drop(writer);
        assert_eq!(temp_files(dir.path()), 0);
        let staged = {
            let mut writer = store.begin().await.unwrap();
            writer
                .write(Bytes::from_static(b"complete but never committed"))
                .await
                .unwrap();
            writer.finish().await.unwrap()
        };
        drop(staged);
        assert_eq!(temp_files(dir.path()), 0);
        let objects: usize = std::fs::read_dir(dir.path().join("objects"))
            .unwrap()
            .map(|shard| std::fs::read_dir(shard.unwrap().path()).unwrap().count())
            .sum();
        assert_eq!(objects, 0);
    }

    #[tokio::test]
    async fn open_creates_every_shard() {
        let dir = tempfile::tempdir().unwrap();
        LocalStore::open(dir.path()).await.unwrap();
        let mut shards: Vec<String> = std::fs::read_dir(dir.path().join("objects"))
            .unwrap()
            .map(|shard| shard.unwrap().file_name().into_string().unwrap())
            .collect();
        shards.sort();
        assert_eq!(shards.len(), 256);
        assert_eq!(shards[0], "00");
        assert_eq!(shards[255], "ff");

        // Opening again keeps the objects already stored.
        let object = dir.path().join("objects").join("ab").join("ab-object");
        std::fs::write(&object, b"kept").unwrap();
        LocalStore::open(dir.path()).await.unwrap();
        assert_eq!(std::fs::read(&object).unwrap(), b"kept");
    }

    #[tokio::test]
    async fn identical_content_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).await.unwrap();
        for _ in 0..2 {
            let mut writer = store.begin().await.unwrap();
            writer
                .write(Bytes::from_static(b"same bytes"))
                .await
                .unwrap();
            writer.finish().await.unwrap().commit().await.unwrap();
        }
        let sha = hex::encode(Sha256::digest(b"same bytes"));
        let shard = dir.path().join("objects").join(&sha[..2]);
        assert_eq!(std::fs::read_dir(shard).unwrap().count(), 1);
        assert_eq!(temp_files(dir.path()), 0);
    }

    #[tokio::test]
    async fn open_reads_a_range() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).await.unwrap();
        let mut writer = store.begin().await.unwrap();
        writer
            .write(Bytes::from_static(b"0123456789"))
            .await
            .unwrap();
        let staged = writer.finish().await.unwrap();
        let sha = staged.sha256().to_owned();
        staged.commit().await.unwrap();
        assert_eq!(read_all(&store, &sha, Some(2..5)).await, b"234");
        assert_eq!(read_all(&store, &sha, Some(8..100)).await, b"89");
    }

    #[tokio::test]
    async fn sweep_deletes_leftover_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).await.unwrap();
        std::fs::write(dir.path().join("tmp").join("left.part"), b"x").unwrap();
        assert_eq!(store.sweep_temporary().await.unwrap(), 1);
        assert_eq!(temp_files(dir.path()), 0);
    }

    #[test]
    fn object_path_rejects_bad_names() {
        let store = LocalStore {
            root: PathBuf::from("/x"),
        };
        assert!(store.object_path("../../etc/passwd").is_err());
        assert!(store.object_path(&"A".repeat(64)).is_err());
        assert!(store.object_path(&"a".repeat(64)).is_ok());
    }
}
