// crypto/crypto.h: the public header of the crypto module: SHA-256 (OpenSSL EVP, the
// algorithm fetched once per process) and Ed25519 (libsodium): keys, signatures, key ids.
// Key file formats and key ids: see ../../docs/formats/keys.md.
//
// Thread-safety: all free functions are thread-safe. Sha256Hasher, SigningKey and PublicKey
// objects are values; a single object must not be mutated from two threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/base.h"

namespace detente::crypto {

using base::Bytes;
using base::ByteView;

inline constexpr size_t kSha256Size = 32;
using Digest = std::array<uint8_t, kSha256Size>;

// SHA-256 of `data`. Allocates nothing per call (a thread_local context is reused), so it is
// the fast path for many small inputs.
Digest Sha256(ByteView data);
inline Digest Sha256(std::string_view data) { return Sha256(base::AsBytes(data)); }
// SHA-256 of the concatenation of `parts`, without building the concatenation (e.g. RFC 9162
// node hashes: Sha256Concat({prefix, left, right})). Same cost profile as Sha256().
Digest Sha256Concat(std::initializer_list<ByteView> parts);

// Incremental SHA-256. One OpenSSL context per hasher, reused after Finish().
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(ByteView data);
  void Update(std::string_view data) { Update(base::AsBytes(data)); }
  // Returns the digest and resets the hasher for reuse.
  Digest Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;
using Signature = std::array<uint8_t, kEd25519SignatureSize>;

class PublicKey {
 public:
  PublicKey() = default;
  explicit PublicKey(const std::array<uint8_t, kEd25519PublicKeySize>& raw) : raw_(raw) {}
  // Errors: kInvalidArgument unless exactly 32 bytes.
  static base::Result<PublicKey> FromBytes(ByteView raw);
  // Standard base64 (padded) of the raw 32 bytes.
  static base::Result<PublicKey> FromBase64(std::string_view b64);
  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo), as `openssl pkey -pubout` writes it; parsed
  // strictly (exactly the Ed25519 SPKI). Errors: kInvalidArgument naming what is wrong.
  static base::Result<PublicKey> FromPem(std::string_view pem);
  // Errors: as SigningKey::LoadFile.
  static base::Result<PublicKey> LoadFile(const std::string& path);

  const std::array<uint8_t, kEd25519PublicKeySize>& raw() const { return raw_; }
  std::string ToBase64() const;
  std::string ToPem() const;
  // Writes the PEM form (mode 0644), atomically replacing any existing file.
  base::Status SaveFile(const std::string& path) const;

  // True iff `sig` is a valid Ed25519 signature of `message` by this key (strict: libsodium's
  // crypto_sign_verify_detached, which rejects non-canonical and small-order encodings).
  bool Verify(ByteView message, ByteView sig) const;
  bool Verify(std::string_view message, ByteView sig) const {
    return Verify(base::AsBytes(message), sig);
  }

  // The key id: lower-case hex of SHA-256 over the raw 32 public-key bytes (64 characters).
  std::string KeyId() const;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  std::array<uint8_t, kEd25519PublicKeySize> raw_{};
};

class SigningKey {
 public:
  // A fresh key from libsodium's CSPRNG.
  static SigningKey Generate();
  // Errors: kInvalidArgument unless exactly 32 bytes.
  static base::Result<SigningKey> FromSeed(ByteView seed);
  // PEM "PRIVATE KEY" (PKCS#8), as `openssl genpkey -algorithm ed25519` writes it (also the
  // RFC 5958 v2 form carrying the matching public key). Unencrypted only; parsed strictly.
  // Errors: kInvalidArgument naming what is wrong.
  static base::Result<SigningKey> FromPem(std::string_view pem);
  // Errors: kNotFound (no file), kInvalidArgument (not an Ed25519 PKCS#8 PEM, not a regular
  // file, larger than 16 KiB), kPermissionDenied (unreadable), kUnavailable (I/O error).
  // Messages name the path.
  static base::Result<SigningKey> LoadFile(const std::string& path);

  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey();  // wipes the secret

  // Writes the PEM form to `path`, created with mode 0600 (never readable by others, not even
  // briefly; never visible half-written); fails with kAlreadyExists if the file exists and
  // !overwrite. Other errors: kNotFound (no such directory), kPermissionDenied,
  // kResourceExhausted (disk full), kUnavailable.
  base::Status SaveFile(const std::string& path, bool overwrite = false) const;
  std::string ToPem() const;

  const PublicKey& public_key() const { return public_key_; }
  const std::array<uint8_t, kEd25519SeedSize>& seed() const { return seed_; }

  Signature Sign(ByteView message) const;
  Signature Sign(std::string_view message) const { return Sign(base::AsBytes(message)); }

 private:
  SigningKey() = default;
  std::array<uint8_t, kEd25519SeedSize> seed_{};
  std::array<uint8_t, 64> secret_{};  // libsodium's expanded secret key (seed || public)
  PublicKey public_key_;
};

// Constant-time comparison of the contents; different lengths compare unequal at once (the
// lengths are not treated as secret).
bool ConstantTimeEquals(ByteView a, ByteView b);

// Fills `out` from the OS CSPRNG.
void RandomBytes(std::span<uint8_t> out);

}  // namespace detente::crypto
