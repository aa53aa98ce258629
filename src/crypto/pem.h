// crypto/pem.h: internal: the fixed DER encodings of Ed25519 keys (RFC 8410) and the PEM
// armour around them (RFC 7468). See ../../docs/formats/keys.md. Tested by keys_test.cc.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/base.h"

namespace detente::crypto::internal {

// PEM input larger than this is rejected before parsing (a key file is ~120 bytes).
inline constexpr size_t kMaxPemSize = 16 * 1024;

// PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 8410 section 7), version 0, no attributes:
//   30 2e                 SEQUENCE, 46 bytes
//     02 01 00            INTEGER 0 (v1)
//     30 05 06 03 2b6570  AlgorithmIdentifier { id-Ed25519 (1.3.101.112) }
//     04 22 04 20 <32>    OCTET STRING { CurvePrivateKey ::= OCTET STRING (the seed) }
inline constexpr std::array<uint8_t, 16> kPkcs8V1Prefix = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
// OneAsymmetricKey (RFC 5958) version 1 carrying the public key and nothing else:
//   30 51  02 01 01  30 05 06 03 2b6570  04 22 04 20 <32 seed>  81 21 00 <32 public key>
inline constexpr std::array<uint8_t, 16> kPkcs8V2Prefix = {
    0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
// [1] IMPLICIT BIT STRING, 33 bytes, 0 unused bits, before the public key in the v2 form.
inline constexpr std::array<uint8_t, 3> kPkcs8V2PublicKeyTag = {0x81, 0x21, 0x00};
inline constexpr size_t kPkcs8V1Size = kPkcs8V1Prefix.size() + 32;
inline constexpr size_t kPkcs8V2Size = kPkcs8V1Size + kPkcs8V2PublicKeyTag.size() + 32;

// SubjectPublicKeyInfo (RFC 5280 / RFC 8410 section 4):
//   30 2a  30 05 06 03 2b6570  03 21 00 <32 public key>
inline constexpr std::array<uint8_t, 12> kSpkiPrefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                        0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
inline constexpr size_t kSpkiSize = kSpkiPrefix.size() + 32;

inline constexpr std::string_view kPrivateKeyLabel = "PRIVATE KEY";
inline constexpr std::string_view kPublicKeyLabel = "PUBLIC KEY";

// "-----BEGIN <label>-----\n", the base64 of `der` in lines of 64 characters, "-----END ...".
std::string PemEncode(std::string_view label, base::ByteView der);

// Strict RFC 7468 parsing of exactly one PEM block with `label`: surrounding whitespace is
// allowed, nothing else outside the block; LF or CRLF line ends; no headers; the base64 body
// must be canonical. Errors: kInvalidArgument naming what is wrong (wrong label, e.g.
// "ENCRYPTED PRIVATE KEY", missing END line, bad base64 with its position, too large).
base::Result<base::Bytes> PemDecode(std::string_view pem, std::string_view label);

// Reads a whole small file. Errors: kNotFound, kPermissionDenied, kInvalidArgument (larger
// than `max_size` or not a regular file), kUnavailable (other I/O errors); messages name the
// path.
base::Result<std::string> ReadSmallFile(const std::string& path, size_t max_size);

// Writes `contents` to `path` atomically: a temporary file in the same directory created with
// O_CREAT|O_EXCL and `mode` (then fchmod'ed to exactly `mode`, whatever the umask), written,
// fsynced, then renamed over `path` (overwrite) or hard-linked to it (no overwrite: fails with
// kAlreadyExists if `path` exists). The directory is fsynced afterwards. The file is never
// visible with a wider mode or partially written.
base::Status WriteFileAtomic(const std::string& path, std::string_view contents, unsigned mode,
                             bool overwrite);

}  // namespace detente::crypto::internal
