//! A reviewer's Ed25519 key pair, its public half as a trust file, and its private half sealed in a key file
//! under a passphrase: Argon2id (RFC 9106, OWASP's parameters: 19 MiB, 2 passes) turns the passphrase into a
//! key for ChaCha20-Poly1305 (RFC 8439), which encrypts the 32-byte seed; the public key and the file's format
//! are authenticated with it, so a key file whose public half was swapped does not open. The seed never leaves
//! this module except inside a sealed file.

use crate::{Error, digest};
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The `format` of a sealed key file.
pub const KEY_FORMAT: &str = "cellguard-key/1";
/// The `format` of a public key (trust) file.
pub const PUBLIC_FORMAT: &str = "cellguard-public-key/1";

/// A reviewer's key pair. Its `Debug` shows the fingerprint only.
pub struct KeyPair {
    signing: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({})", fingerprint(&self.signing.verifying_key()))
    }
}

/// A public key as reviewers and verifiers exchange it: `public_key` is the 32 bytes in hexadecimal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicKey {
    pub format: String,
    /// Whose key it is (free text).
    pub name: String,
    pub public_key: String,
    /// [`fingerprint`] of the key, for people to compare.
    pub fingerprint: String,
}

/// A sealed key file (JSON). Every field but `sealed` is public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub format: String,
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
    pub kdf: Kdf,
    /// `chacha20poly1305`.
    pub cipher: String,
    /// 12 bytes, hexadecimal.
    pub nonce: String,
    /// The encrypted seed and its tag, hexadecimal.
    pub sealed: String,
}

/// Argon2id's parameters and salt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kdf {
    /// `argon2id`.
    pub algorithm: String,
    /// Memory in KiB.
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
    /// 16 bytes, hexadecimal.
    pub salt: String,
}

/// A key's fingerprint: `SHA256:` and the first 16 bytes of the SHA-256 of the 32-byte public key, in groups of
/// four hexadecimal digits.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let hash = digest::sha256(key.as_bytes());
    let groups: Vec<&str> = (0..8).filter_map(|i| hash.get(i * 4..i * 4 + 4)).collect();
    format!("SHA256:{}", groups.join("-"))
}

/// The verifying key written in `hex` (64 hexadecimal digits), refusing anything else.
pub fn parse_public(hex_key: &str) -> Result<VerifyingKey, Error> {
    let bytes: [u8; 32] = hex::decode(hex_key)
        .ok()
        .filter(|b| hex::encode(b) == hex_key)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            Error::Key(format!(
                "`{hex_key}` is not a 32-byte public key in hexadecimal"
            ))
        })?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| Error::Key(format!("`{hex_key}` is not an Ed25519 public key")))
}

impl PublicKey {
    /// Reads a public key (trust) file, refusing one whose format is not [`PUBLIC_FORMAT`], whose key is not an
    /// Ed25519 key, or whose fingerprint is not its key's (a file could otherwise show a trusted reviewer's
    /// fingerprint beside another key).
    pub fn from_json(bytes: &[u8]) -> Result<PublicKey, Error> {
        let key: PublicKey = serde_json::from_slice(bytes).map_err(|e| Error::Json {
            file: "the public key file".into(),
            reason: e.to_string(),
        })?;
        checked(
            "the public key file",
            key.format.clone(),
            PUBLIC_FORMAT,
            &key.public_key,
            &key.fingerprint,
        )?;
        Ok(key)
    }
}

impl KeyPair {
    /// The key pair of a 32-byte seed (RFC 8032's private key), which the caller draws from the system's
    /// random source.
    pub fn from_seed(seed: [u8; 32]) -> KeyPair {
        let seed = Zeroizing::new(seed);
        KeyPair {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.verifying_key())
    }

    /// The public half, as a trust file for `name`.
    pub fn public(&self, name: &str) -> PublicKey {
        PublicKey {
            format: PUBLIC_FORMAT.to_owned(),
            name: name.to_owned(),
            public_key: hex::encode(self.verifying_key().as_bytes()),
            fingerprint: self.fingerprint(),
        }
    }

    /// Signs `message` (Ed25519, RFC 8032: deterministic).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// Seals the key in a key file under `passphrase` (at least 8 characters), with a fresh `salt` and `nonce`
    /// from the caller's random source.
    pub fn seal(
        &self,
        name: &str,
        passphrase: &str,
        salt: [u8; 16],
        nonce: [u8; 12],
    ) -> Result<KeyFile, Error> {
        if passphrase.chars().count() < 8 {
            return Err(Error::Key("a passphrase has at least 8 characters".into()));
        }
        let kdf = Kdf {
            algorithm: "argon2id".into(),
            memory_kib: argon2::Params::DEFAULT_M_COST,
            passes: argon2::Params::DEFAULT_T_COST,
            lanes: argon2::Params::DEFAULT_P_COST,
            salt: hex::encode(salt),
        };
        let public_key = hex::encode(self.verifying_key().as_bytes());
        let cipher = cipher(&kdf, passphrase)?;
        let seed = Zeroizing::new(self.signing.to_bytes());
        let sealed = cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: seed.as_slice(),
                    aad: &associated(&public_key),
                },
            )
            .map_err(|_| Error::Key("the key could not be sealed".into()))?;
        Ok(KeyFile {
            format: KEY_FORMAT.to_owned(),
            name: name.to_owned(),
            public_key,
            fingerprint: self.fingerprint(),
            kdf,
            cipher: "chacha20poly1305".into(),
            nonce: hex::encode(nonce),
            sealed: hex::encode(sealed),
        })
    }
}

impl KeyFile {
    /// Reads a key file's JSON.
    pub fn from_json(bytes: &[u8]) -> Result<KeyFile, Error> {
        let file: KeyFile = serde_json::from_slice(bytes).map_err(|e| Error::Json {
            file: "the key file".into(),
            reason: e.to_string(),
        })?;
        checked(
            "the key file",
            file.format.clone(),
            KEY_FORMAT,
            &file.public_key,
            &file.fingerprint,
        )?;
        Ok(file)
    }

    pub fn to_json(&self) -> Vec<u8> {
        crate::canonical::to_bytes(self)
    }

    /// The key pair inside, opened with `passphrase`. A wrong passphrase, or a file whose public key, salt,
    /// nonce or sealed bytes were changed, is [`Error::WrongPassphrase`].
    pub fn open(&self, passphrase: &str) -> Result<KeyPair, Error> {
        if self.cipher != "chacha20poly1305" || self.kdf.algorithm != "argon2id" {
            return Err(Error::Key(format!(
                "`{}` with `{}` is not a sealing this version reads",
                self.kdf.algorithm, self.cipher
            )));
        }
        let nonce: [u8; 12] = hex::decode(&self.nonce)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Key("the nonce is not 12 bytes in hexadecimal".into()))?;
        let sealed = hex::decode(&self.sealed)
            .map_err(|_| Error::Key("the sealed key is not hexadecimal".into()))?;
        let seed = cipher(&self.kdf, passphrase)?
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: &sealed,
                    aad: &associated(&self.public_key),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| Error::WrongPassphrase)?;
        let seed: [u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| Error::Key("the sealed key is not 32 bytes".into()))?;
        let pair = KeyPair::from_seed(seed);
        if hex::encode(pair.verifying_key().as_bytes()) != self.public_key {
            return Err(Error::Key(
                "the sealed key does not belong to the public key in the file".into(),
            ));
        }
        Ok(pair)
    }
}

/// A key file's or public key file's own rules: its format, an Ed25519 key, and the fingerprint of that key (a
/// file could otherwise show a trusted reviewer's fingerprint beside another key).
fn checked(
    file: &str,
    format: String,
    want: &'static str,
    public_key: &str,
    shown: &str,
) -> Result<(), Error> {
    if format != want {
        return Err(Error::Format {
            file: file.into(),
            found: format,
            want,
        });
    }
    let fingerprint = fingerprint(&parse_public(public_key)?);
    if fingerprint != shown {
        return Err(Error::Key(format!(
            "the file says fingerprint {shown} but its key's is {fingerprint}"
        )));
    }
    Ok(())
}

/// The associated data a key is sealed with: the file's format and public key.
fn associated(public_key: &str) -> Vec<u8> {
    format!("{KEY_FORMAT}\n{public_key}").into_bytes()
}

/// The cipher keyed by Argon2id of `passphrase` under `kdf`.
fn cipher(kdf: &Kdf, passphrase: &str) -> Result<ChaCha20Poly1305, Error> {
    let salt = hex::decode(&kdf.salt)
        .ok()
        .filter(|s| s.len() == 16)
        .ok_or_else(|| Error::Key("the salt is not 16 bytes in hexadecimal".into()))?;
    // Parameters far from the ones this crate writes are refused: too weak to trust, or too costly to run.
    // At most 256 MiB: a key file must open in a browser tab.
    if !(8 * 1024..=256 * 1024).contains(&kdf.memory_kib)
        || !(1..=16).contains(&kdf.passes)
        || !(1..=8).contains(&kdf.lanes)
    {
        return Err(Error::Key(format!(
            "Argon2id with {} KiB, {} passes and {} lanes is outside what this version accepts",
            kdf.memory_kib, kdf.passes, kdf.lanes
        )));
    }
    let params = argon2::Params::new(kdf.memory_kib, kdf.passes, kdf.lanes, Some(32))
        .map_err(|e| Error::Key(format!("Argon2id parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, key.as_mut_slice())
        .map_err(|e| Error::Key(format!("Argon2id: {e}")))?;
    ChaCha20Poly1305::new_from_slice(key.as_slice())
        .map_err(|_| Error::Key("the derived key has the wrong length".into()))
}

/// Whether `signature` (64 bytes in lowercase hexadecimal, the one spelling: an upper-case digit is another
/// document) is `key`'s signature of `message` (strict verification: no malleable signatures, no weak keys).
pub fn verify(key: &VerifyingKey, message: &[u8], signature: &str) -> bool {
    let Some(bytes) = hex::decode(signature)
        .ok()
        .filter(|b| hex::encode(b) == signature)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&bytes))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).unwrap()
    }

    /// RFC 8032 §7.1, tests 1, 2, 3 and SHA(abc): the public key and the signature of each secret key and
    /// message.
    #[test]
    fn rfc8032_test_vectors() {
        let vectors = [
            (
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            ),
            (
                "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
                "af82",
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
            ),
            (
                "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
                "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
                "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
            ),
        ];
        for (secret, public, message, signature) in vectors {
            let pair = KeyPair::from_seed(h(secret).try_into().unwrap());
            assert_eq!(hex::encode(pair.verifying_key().as_bytes()), public);
            let signed = pair.sign(&h(message));
            assert_eq!(hex::encode(signed), signature);
            let key = parse_public(public).unwrap();
            assert!(verify(&key, &h(message), signature));
            assert!(!verify(&key, &h(message), &signature.to_uppercase()));
            let mut flipped = h(message);
            flipped.push(0);
            assert!(!verify(&key, &flipped, signature));
        }
    }

    #[test]
    fn sealed_key_opens_with_its_passphrase_only() {
        let pair = KeyPair::from_seed([7; 32]);
        let file = pair
            .seal("R. Viewer", "correct horse battery", [1; 16], [2; 12])
            .unwrap();
        let json = file.to_json();
        // The secret seed appears nowhere in the file, in any usual spelling.
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(!text.contains(&hex::encode([7u8; 32])));
        let read = KeyFile::from_json(&json).unwrap();
        assert_eq!(
            read.open("correct horse battery").unwrap().fingerprint(),
            pair.fingerprint()
        );
        assert_eq!(
            read.open("correct horse battery!").unwrap_err(),
            Error::WrongPassphrase
        );
        assert_eq!(
            read.open("wrong").unwrap_err().to_string(),
            "the passphrase does not open this key file (or the key file was changed)"
        );
        // A swapped public key does not open (it is authenticated with the seed).
        let other = KeyPair::from_seed([8; 32]);
        let mut swapped = read.clone();
        swapped.public_key = hex::encode(other.verifying_key().as_bytes());
        assert_eq!(
            swapped.open("correct horse battery").unwrap_err(),
            Error::WrongPassphrase
        );
        assert!(pair.seal("x", "short", [1; 16], [2; 12]).is_err());
        assert!(!format!("{pair:?}").contains(&hex::encode([7u8; 32])));
    }

    #[test]
    fn fingerprints() {
        let pair = KeyPair::from_seed([7; 32]);
        let fp = pair.fingerprint();
        assert_eq!(fp.len(), "SHA256:".len() + 8 * 4 + 7);
        assert_eq!(pair.public("R").fingerprint, fp);
        assert!(parse_public("00").is_err());
        // One spelling only: the same key in upper case is refused.
        let public = pair.public("R");
        assert!(parse_public(&public.public_key.to_uppercase()).is_err());
        let bytes = crate::canonical::to_bytes(&public);
        assert_eq!(PublicKey::from_json(&bytes), Ok(public.clone()));
        // A trust file showing another key's fingerprint is refused.
        let mut posing = public.clone();
        posing.fingerprint = KeyPair::from_seed([8; 32]).fingerprint();
        let e = PublicKey::from_json(&crate::canonical::to_bytes(&posing)).unwrap_err();
        assert!(e.to_string().contains("but its key's is"), "{e}");
        let mut wrong = public;
        wrong.format = "x".into();
        assert!(PublicKey::from_json(&crate::canonical::to_bytes(&wrong)).is_err());
    }
}
