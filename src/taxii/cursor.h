// taxii/cursor.h: stateless, tamper-proof `next` tokens (docs/taxii.md, "Cursors").
//
// A token is base64url (no padding) of
//   version (1 byte, 1) || position: date_added in microseconds (8 bytes, big-endian)
//   || binding: SHA-256(collection id, object id, user, canonical filters) truncated to 16
//   || HMAC-SHA256(key, everything before) truncated to 16 bytes
// = 41 bytes, 55 characters. The position is where the next page starts (exclusive); the
// binding ties the token to the query it came from, so a token replayed with other filters,
// for another collection or object, or by another user is refused.
// Tested by cursor_test.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/base.h"
#include "crypto/crypto.h"

namespace detente::taxii {

// RFC 2104 HMAC-SHA256 over crypto::Sha256.
crypto::Digest HmacSha256(base::ByteView key, base::ByteView message);

class CursorCodec {
 public:
  // `key`: any length (hashed when longer than 64 bytes, as HMAC does).
  explicit CursorCodec(std::string key) : key_(std::move(key)) {}

  // The binding of a query (see above).
  static std::string Binding(std::string_view collection_id, std::string_view object_id,
                             std::string_view user, std::string_view canonical_filters);

  std::string Encode(int64_t position_us, std::string_view binding) const;
  // Errors: kInvalidArgument ("next: malformed token", "next: bad signature", "next: the
  // token belongs to a different query").
  base::Result<int64_t> Decode(std::string_view token, std::string_view binding) const;

 private:
  std::string key_;
};

}  // namespace detente::taxii
