// crypto/ed25519.cc: Ed25519 keys and signatures (RFC 8032) through libsodium, their PEM
// files (see ../../docs/formats/keys.md), key ids, constant-time compare and randomness.
// Tested by ed25519_test.cc and keys_test.cc.
#include <sodium.h>

#include <cstring>

#include "base/check.h"
#include "crypto/crypto.h"
#include "crypto/pem.h"

namespace detente::crypto {
namespace {

// A key file is ~120 bytes; anything much larger is not one of ours.
constexpr size_t kMaxKeyFileSize = internal::kMaxPemSize;

// sodium_init() is itself idempotent and thread-safe; the static makes later calls free.
void EnsureSodium() {
  static const bool initialised = [] {
    // -1 means no usable randomness source or CPU feature detection failed: cannot continue.
    DETENTE_CHECK(sodium_init() >= 0);
    return true;
  }();
  (void)initialised;
}

bool HasPrefix(base::ByteView der, std::span<const uint8_t> prefix) {
  return der.size() >= prefix.size() && std::memcmp(der.data(), prefix.data(), prefix.size()) == 0;
}

}  // namespace

// ---- PublicKey -------------------------------------------------------------------------------

base::Result<PublicKey> PublicKey::FromBytes(ByteView raw) {
  if (raw.size() != kEd25519PublicKeySize) {
    return base::InvalidArgumentError("Ed25519 public key must be 32 bytes, got " +
                                      std::to_string(raw.size()));
  }
  std::array<uint8_t, kEd25519PublicKeySize> a;
  std::memcpy(a.data(), raw.data(), a.size());
  return PublicKey(a);
}

base::Result<PublicKey> PublicKey::FromBase64(std::string_view b64) {
  auto raw = base::Base64Decode(b64);
  if (!raw.ok()) return raw.status().WithContext("Ed25519 public key");
  return FromBytes(*raw);
}

base::Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  ASSIGN_OR_RETURN(base::Bytes der, internal::PemDecode(pem, internal::kPublicKeyLabel));
  if (der.size() != internal::kSpkiSize || !HasPrefix(der, internal::kSpkiPrefix)) {
    return base::InvalidArgumentError(
        "PUBLIC KEY is not an Ed25519 SubjectPublicKeyInfo (expected 44 DER bytes starting "
        "302a300506032b6570032100, got " +
        std::to_string(der.size()) + " bytes starting " +
        base::HexEncode(ByteView(der).first(std::min<size_t>(der.size(), 12))) + ")");
  }
  return FromBytes(ByteView(der).subspan(internal::kSpkiPrefix.size()));
}

base::Result<PublicKey> PublicKey::LoadFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, internal::ReadSmallFile(path, kMaxKeyFileSize));
  auto key = FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

std::string PublicKey::ToBase64() const { return base::Base64Encode(raw_); }

std::string PublicKey::ToPem() const {
  std::array<uint8_t, internal::kSpkiSize> der;
  std::memcpy(der.data(), internal::kSpkiPrefix.data(), internal::kSpkiPrefix.size());
  std::memcpy(der.data() + internal::kSpkiPrefix.size(), raw_.data(), raw_.size());
  return internal::PemEncode(internal::kPublicKeyLabel, der);
}

base::Status PublicKey::SaveFile(const std::string& path) const {
  return internal::WriteFileAtomic(path, ToPem(), 0644, /*overwrite=*/true);
}

bool PublicKey::Verify(ByteView message, ByteView sig) const {
  if (sig.size() != kEd25519SignatureSize) return false;
  EnsureSodium();
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), raw_.data()) == 0;
}

std::string PublicKey::KeyId() const { return base::HexEncode(Sha256(ByteView(raw_))); }

// ---- SigningKey ------------------------------------------------------------------------------

SigningKey SigningKey::Generate() {
  EnsureSodium();
  std::array<uint8_t, kEd25519SeedSize> seed;
  randombytes_buf(seed.data(), seed.size());
  SigningKey key = *FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

base::Result<SigningKey> SigningKey::FromSeed(ByteView seed) {
  if (seed.size() != kEd25519SeedSize) {
    return base::InvalidArgumentError("Ed25519 seed must be 32 bytes, got " +
                                      std::to_string(seed.size()));
  }
  EnsureSodium();
  SigningKey key;
  std::memcpy(key.seed_.data(), seed.data(), kEd25519SeedSize);
  std::array<uint8_t, kEd25519PublicKeySize> pk;
  static_assert(crypto_sign_SECRETKEYBYTES == 64 && crypto_sign_PUBLICKEYBYTES == 32 &&
                crypto_sign_SEEDBYTES == 32 && crypto_sign_BYTES == 64);
  DETENTE_CHECK(crypto_sign_seed_keypair(pk.data(), key.secret_.data(), key.seed_.data()) == 0);
  key.public_key_ = PublicKey(pk);
  return key;
}

base::Result<SigningKey> SigningKey::FromPem(std::string_view pem) {
  ASSIGN_OR_RETURN(base::Bytes der, internal::PemDecode(pem, internal::kPrivateKeyLabel));
  struct Wipe {
    base::Bytes& b;
    ~Wipe() { sodium_memzero(b.data(), b.size()); }
  } wipe{der};
  ByteView view(der);
  if (der.size() == internal::kPkcs8V1Size && HasPrefix(view, internal::kPkcs8V1Prefix)) {
    return FromSeed(view.subspan(internal::kPkcs8V1Prefix.size(), kEd25519SeedSize));
  }
  if (der.size() == internal::kPkcs8V2Size && HasPrefix(view, internal::kPkcs8V2Prefix) &&
      HasPrefix(view.subspan(internal::kPkcs8V1Size), internal::kPkcs8V2PublicKeyTag)) {
    ASSIGN_OR_RETURN(SigningKey key,
                     FromSeed(view.subspan(internal::kPkcs8V2Prefix.size(), kEd25519SeedSize)));
    ByteView embedded = view.last(kEd25519PublicKeySize);
    if (!ConstantTimeEquals(embedded, key.public_key().raw())) {
      return base::InvalidArgumentError(
          "PRIVATE KEY: the embedded public key does not match the private key");
    }
    return key;
  }
  return base::InvalidArgumentError(
      "PRIVATE KEY is not an unencrypted Ed25519 PKCS#8 key (expected 48 DER bytes starting "
      "302e020100300506032b657004220420, got " +
      std::to_string(der.size()) + " bytes starting " +
      base::HexEncode(view.first(std::min<size_t>(view.size(), 12))) + ")");
}

base::Result<SigningKey> SigningKey::LoadFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, internal::ReadSmallFile(path, kMaxKeyFileSize));
  auto key = FromPem(pem);
  sodium_memzero(pem.data(), pem.size());
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

SigningKey::~SigningKey() {
  sodium_memzero(seed_.data(), seed_.size());
  sodium_memzero(secret_.data(), secret_.size());
}

std::string SigningKey::ToPem() const {
  std::array<uint8_t, internal::kPkcs8V1Size> der;
  std::memcpy(der.data(), internal::kPkcs8V1Prefix.data(), internal::kPkcs8V1Prefix.size());
  std::memcpy(der.data() + internal::kPkcs8V1Prefix.size(), seed_.data(), seed_.size());
  std::string pem = internal::PemEncode(internal::kPrivateKeyLabel, der);
  sodium_memzero(der.data(), der.size());
  return pem;
}

base::Status SigningKey::SaveFile(const std::string& path, bool overwrite) const {
  std::string pem = ToPem();
  base::Status s = internal::WriteFileAtomic(path, pem, 0600, overwrite);
  sodium_memzero(pem.data(), pem.size());
  return s;
}

Signature SigningKey::Sign(ByteView message) const {
  Signature sig;
  DETENTE_CHECK(crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                                     secret_.data()) == 0);
  return sig;
}

// ---- Utilities -------------------------------------------------------------------------------

bool ConstantTimeEquals(ByteView a, ByteView b) {
  // The lengths are not secret; only the contents are compared in constant time.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  EnsureSodium();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void RandomBytes(std::span<uint8_t> out) {
  if (out.empty()) return;
  EnsureSodium();
  randombytes_buf(out.data(), out.size());
}

}  // namespace detente::crypto
