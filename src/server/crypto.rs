//! Encryption at rest for 身分證字號: AES-256-GCM for the value and HMAC-SHA-256 for an exact-match
//! lookup key, both under keys kept in a file outside the database. A copy of the database
//! alone reveals no national ID.

use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::domain::national_id::NationalId;

const KEY_FILE_LEN: usize = 64;
const NONCE_LEN: usize = 12;

/// The keys for national IDs, loaded from the key file.
pub struct NationalIdCipher {
    cipher: Aes256Gcm,
    lookup_key: [u8; 32],
}

impl std::fmt::Debug for NationalIdCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NationalIdCipher(keys hidden)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("stored national ID is not valid hex")]
    Encoding,
    #[error("stored national ID does not decrypt with this key file")]
    Decryption,
    #[error("decrypted national ID is not valid")]
    Invalid,
}

impl NationalIdCipher {
    /// Loads the key file, creating it with fresh random keys (mode 0600, in a directory of
    /// mode 0700) when it does not exist yet.
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        let mut keys = [0u8; KEY_FILE_LEN];
        match std::fs::File::open(path) {
            Ok(mut file) => {
                file.read_exact(&mut keys).map_err(|error| {
                    io::Error::new(
                        error.kind(),
                        format!(
                            "key file {} is shorter than {KEY_FILE_LEN} bytes",
                            path.display()
                        ),
                    )
                })?;
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    std::fs::DirBuilder::new()
                        .recursive(true)
                        .mode(0o700)
                        .create(dir)?;
                }
                rand::rngs::OsRng.fill_bytes(&mut keys);
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)?;
                file.write_all(&keys)?;
                file.sync_all()?;
                tracing::info!(path = %path.display(), "created the national ID key file; back it up apart from the database");
            }
            Err(error) => return Err(error),
        }
        Ok(Self::from_keys(&keys))
    }

    /// Loads an existing key file, such as another deployment's, creating nothing.
    pub fn load(path: &Path) -> io::Result<Self> {
        let mut keys = [0u8; KEY_FILE_LEN];
        std::fs::File::open(path)?.read_exact(&mut keys)?;
        Ok(Self::from_keys(&keys))
    }

    fn from_keys(keys: &[u8; KEY_FILE_LEN]) -> Self {
        let cipher = Aes256Gcm::new_from_slice(&keys[..32]).expect("32-byte AES key");
        let mut lookup_key = [0u8; 32];
        lookup_key.copy_from_slice(&keys[32..]);
        NationalIdCipher { cipher, lookup_key }
    }

    /// Encrypts a national ID under a fresh random nonce; returns nonce and ciphertext as hex.
    pub fn encrypt(&self, id: &NationalId) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), id.expose().as_bytes())
            .expect("AES-GCM encryption of a short value");
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&sealed);
        hex::encode(stored)
    }

    pub fn decrypt(&self, stored: &str) -> Result<NationalId, CryptoError> {
        let bytes = hex::decode(stored).map_err(|_| CryptoError::Encoding)?;
        if bytes.len() <= NONCE_LEN {
            return Err(CryptoError::Encoding);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| CryptoError::Decryption)?;
        let text = String::from_utf8(plain).map_err(|_| CryptoError::Invalid)?;
        NationalId::parse(&text).map_err(|_| CryptoError::Invalid)
    }

    /// Returns the lookup key of a national ID: the same for the same ID, useless without
    /// the key file.
    pub fn lookup_hash(&self, id: &NationalId) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup_key)
            .expect("HMAC takes any key length");
        mac.update(id.expose().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn round_trip_and_stable_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets").join("national-id.key");
        let cipher = NationalIdCipher::load_or_create(&path).unwrap();
        let id = NationalId::parse("A123456789").unwrap();
        let first = cipher.encrypt(&id);
        let second = cipher.encrypt(&id);
        assert_ne!(first, second, "a fresh nonce per encryption");
        assert!(!first.contains("123456789"));
        assert_eq!(cipher.decrypt(&first).unwrap(), id);
        assert_eq!(cipher.lookup_hash(&id), cipher.lookup_hash(&id));

        let reloaded = NationalIdCipher::load_or_create(&path).unwrap();
        assert_eq!(
            reloaded.decrypt(&first).unwrap(),
            id,
            "the key file is reused"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn other_key_cannot_decrypt() {
        let dir = tempfile::tempdir().unwrap();
        let one = NationalIdCipher::load_or_create(&dir.path().join("one.key")).unwrap();
        let two = NationalIdCipher::load_or_create(&dir.path().join("two.key")).unwrap();
        let id = NationalId::parse("A123456789").unwrap();
        assert!(matches!(
            two.decrypt(&one.encrypt(&id)),
            Err(CryptoError::Decryption)
        ));
        assert_ne!(one.lookup_hash(&id), two.lookup_hash(&id));
    }
}
