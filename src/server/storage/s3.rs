//! The store on an S3-compatible object store, for city deployments whose nodes share no disk:
//!
//! ```text
//! {data_dir}/files/spool/{random}.part     uploads being received by this node (deleted at start)
//! s3://{bucket}/{prefix}objects/{sha[0..2]}/{sha}   committed objects
//! ```
//!
//! An upload is spooled to a local file while it is hashed, so a slow phone ties up a file,
//! not memory. [`StagedBlob::commit`] then puts the object (a multipart upload for large files),
//! and reads it back to check its SHA-256 before the database row may point at it: a store
//! that answered success for bytes it did not keep is caught there, not at download time.

use std::io;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::fs::{self, File, OpenOptions};
use tokio::io::AsyncWriteExt;

use super::local::TempPath;
use super::{BlobBody, BlobStore, BlobWriter, BoxFuture, FileSink, StagedBlob};

/// The S3 settings of the configuration: the bucket, its server and the keys to sign in.
#[derive(Clone, Debug)]
pub struct S3Config {
    pub bucket: String,
    /// Such as `https://s3.example.edu.tw` or `http://127.0.0.1:9000`; unset means AWS.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Prepended to every object name, such as `licheng/`; empty for the bucket's root.
    pub prefix: String,
}

/// Objects up to this size are put in one request; larger ones in parts of this size.
const PART_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct S3Store {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    spool: PathBuf,
    description: String,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl S3Store {
    /// Connects to the bucket of `config`, spooling uploads under `spool`.
    pub async fn open(config: &S3Config, spool: impl Into<PathBuf>) -> io::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                // Self-hosted servers (MinIO, Ceph, s3s) name the bucket in the path.
                .with_virtual_hosted_style_request(false);
        }
        let store = builder.build().map_err(io::Error::other)?;
        let spool = spool.into();
        fs::create_dir_all(&spool).await?;
        let mut prefix = config.prefix.trim_matches('/').to_owned();
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Ok(S3Store {
            store: Arc::new(store),
            description: format!(
                "S3Store(s3://{}/{prefix} at {})",
                config.bucket,
                config.endpoint.as_deref().unwrap_or("AWS")
            ),
            prefix,
            spool,
        })
    }

    fn object_path(&self, sha256: &str) -> io::Result<ObjectPath> {
        if !is_object_name(sha256) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid object name {sha256:?}"),
            ));
        }
        Ok(ObjectPath::from(format!(
            "{}objects/{}/{sha256}",
            self.prefix,
            &sha256[..2]
        )))
    }
}

fn is_object_name(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Maps the store's "not found" to the I/O kind that callers check for missing files.
fn to_io(error: object_store::Error) -> io::Error {
    match error {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, error),
        other => io::Error::other(other),
    }
}

impl BlobStore for S3Store {
    fn begin(&self) -> BoxFuture<'_, io::Result<Box<dyn BlobWriter>>> {
        Box::pin(async move {
            let mut random = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut random);
            let path = self.spool.join(format!("{}.part", hex::encode(random)));
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .await?;
            Ok(Box::new(SpoolWriter {
                temp: TempPath(Some(path)),
                file: FileSink::new(file.into_std().await),
                store: self.clone(),
            }) as Box<dyn BlobWriter>)
        })
    }

    fn open(&self, sha256: &str, range: Option<Range<u64>>) -> BoxFuture<'_, io::Result<BlobBody>> {
        let path = self.object_path(sha256);
        Box::pin(async move {
            let path = path?;
            let options = match range {
                None => GetOptions::default(),
                Some(range) => {
                    let total_size = self.store.head(&path).await.map_err(to_io)?.size;
                    let start = range.start.min(total_size);
                    let end = range.end.clamp(start, total_size);
                    if start == end {
                        // S3 rejects an empty range, so return no bytes without asking.
                        return Ok(BlobBody {
                            total_size,
                            stream: futures::stream::empty().boxed(),
                        });
                    }
                    GetOptions {
                        range: Some(GetRange::Bounded(start..end)),
                        ..GetOptions::default()
                    }
                }
            };
            let result = self.store.get_opts(&path, options).await.map_err(to_io)?;
            let total_size = result.meta.size;
            let stream = result.into_stream().map_err(to_io).boxed();
            Ok(BlobBody { total_size, stream })
        })
    }

    fn sweep_temporary(&self) -> BoxFuture<'_, io::Result<usize>> {
        Box::pin(async move {
            let mut removed = 0;
            let mut entries = fs::read_dir(&self.spool).await?;
            while let Some(entry) = entries.next_entry().await? {
                fs::remove_file(entry.path()).await?;
                removed += 1;
            }
            Ok(removed)
        })
    }
}

struct SpoolWriter {
    temp: TempPath,
    file: FileSink,
    store: S3Store,
}

impl BlobWriter for SpoolWriter {
    fn write(&mut self, chunk: Bytes) -> BoxFuture<'_, io::Result<()>> {
        Box::pin(self.file.write(chunk))
    }

    fn finish(mut self: Box<Self>) -> BoxFuture<'static, io::Result<Box<dyn StagedBlob>>> {
        Box::pin(async move {
            // The spool is a local buffer. The durable copy is the one in the bucket.
            let written = self.file.close(false).await?;
            Ok(Box::new(SpoolStaged {
                temp: TempPath(Some(self.temp.take())),
                sha256: written.sha256,
                size: written.size,
                store: self.store.clone(),
            }) as Box<dyn StagedBlob>)
        })
    }
}

struct SpoolStaged {
    temp: TempPath,
    sha256: String,
    size: u64,
    store: S3Store,
}

impl SpoolStaged {
    /// Reads the stored object back and checks its size and SHA-256.
    async fn stored_correctly(&self, path: &ObjectPath) -> io::Result<bool> {
        let result = match self.store.store.get(path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(error) => return Err(io::Error::other(error)),
        };
        if result.meta.size != self.size {
            return Ok(false);
        }
        let mut stream = result.into_stream();
        let mut hasher = Sha256::new();
        while let Some(chunk) = stream.next().await {
            hasher.update(chunk.map_err(io::Error::other)?);
        }
        Ok(hex::encode(hasher.finalize()) == self.sha256)
    }
}

impl StagedBlob for SpoolStaged {
    fn sha256(&self) -> &str {
        &self.sha256
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn commit(self: Box<Self>) -> BoxFuture<'static, io::Result<()>> {
        Box::pin(async move {
            let path = self.store.object_path(&self.sha256)?;
            // Objects are named by content, so a sound object of this name has these bytes.
            if self.stored_correctly(&path).await? {
                return Ok(());
            }
            let mut source = File::open(self.temp.path()).await?;
            let mut writer =
                BufWriter::with_capacity(Arc::clone(&self.store.store), path.clone(), PART_BYTES);
            let copied = tokio::io::copy(&mut source, &mut writer).await;
            match copied {
                Ok(_) => writer.shutdown().await?,
                Err(error) => {
                    if let Err(abort) = writer.abort().await {
                        tracing::warn!(%abort, "could not abort a multipart upload");
                    }
                    return Err(error);
                }
            }
            if !self.stored_correctly(&path).await? {
                return Err(io::Error::other(format!(
                    "object {} read back from the store does not match its SHA-256",
                    self.sha256
                )));
            }
            // The spool file is deleted when `self.temp` drops.
            Ok(())
        })
    }
}
