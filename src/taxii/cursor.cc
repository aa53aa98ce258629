// taxii/cursor.cc: HMAC-signed pagination tokens. See cursor.h.
#include "taxii/cursor.h"

#include <array>
#include <cstring>

namespace detente::taxii {
namespace {

constexpr uint8_t kTokenVersion = 1;
constexpr size_t kBindingSize = 16;
constexpr size_t kMacSize = 16;
// version (1) + position (8) + binding (16) + mac (16).
constexpr size_t kTokenSize = 1 + 8 + kBindingSize + kMacSize;
constexpr size_t kHmacBlock = 64;  // SHA-256 block size

}  // namespace

crypto::Digest HmacSha256(base::ByteView key, base::ByteView message) {
  std::array<uint8_t, kHmacBlock> k{};
  if (key.size() > kHmacBlock) {
    crypto::Digest d = crypto::Sha256(key);
    std::memcpy(k.data(), d.data(), d.size());
  } else if (!key.empty()) {
    std::memcpy(k.data(), key.data(), key.size());
  }
  std::array<uint8_t, kHmacBlock> ipad, opad;
  for (size_t i = 0; i < kHmacBlock; ++i) {
    ipad[i] = k[i] ^ 0x36;
    opad[i] = k[i] ^ 0x5c;
  }
  crypto::Digest inner = crypto::Sha256Concat({ipad, message});
  return crypto::Sha256Concat({opad, inner});
}

std::string CursorCodec::Binding(std::string_view collection_id, std::string_view object_id,
                                 std::string_view user, std::string_view canonical_filters) {
  crypto::Sha256Hasher h;
  // Length-prefixed fields, so that no two different tuples hash the same input.
  for (std::string_view part : {collection_id, object_id, user, canonical_filters}) {
    std::string len = std::to_string(part.size()) + ":";
    h.Update(len);
    h.Update(part);
  }
  crypto::Digest d = h.Finish();
  return std::string(reinterpret_cast<const char*>(d.data()), kBindingSize);
}

std::string CursorCodec::Encode(int64_t position_us, std::string_view binding) const {
  base::Bytes raw;
  raw.reserve(kTokenSize);
  raw.push_back(kTokenVersion);
  uint64_t p = static_cast<uint64_t>(position_us);
  for (int i = 7; i >= 0; --i) raw.push_back(static_cast<uint8_t>(p >> (8 * i)));
  raw.insert(raw.end(), binding.begin(), binding.begin() + kBindingSize);
  crypto::Digest mac = HmacSha256(base::AsBytes(key_), raw);
  raw.insert(raw.end(), mac.begin(), mac.begin() + kMacSize);
  return base::Base64Encode(raw, base::Base64Alphabet::kUrlSafe, base::Base64Padding::kNone);
}

base::Result<int64_t> CursorCodec::Decode(std::string_view token, std::string_view binding) const {
  if (token.size() > 128) return base::InvalidArgumentError("next: malformed token");
  auto raw = base::Base64Decode(token, base::Base64Alphabet::kUrlSafe, base::Base64Padding::kNone);
  if (!raw.ok() || raw->size() != kTokenSize || (*raw)[0] != kTokenVersion) {
    return base::InvalidArgumentError("next: malformed token");
  }
  base::ByteView signed_part(raw->data(), kTokenSize - kMacSize);
  crypto::Digest mac = HmacSha256(base::AsBytes(key_), signed_part);
  if (!crypto::ConstantTimeEquals(base::ByteView(mac.data(), kMacSize),
                                  base::ByteView(raw->data() + kTokenSize - kMacSize, kMacSize))) {
    return base::InvalidArgumentError("next: bad signature");
  }
  if (std::memcmp(raw->data() + 9, binding.data(), kBindingSize) != 0) {
    return base::InvalidArgumentError(
        "next: the token belongs to a different query (filters, collection or user changed)");
  }
  uint64_t p = 0;
  for (int i = 1; i <= 8; ++i) p = (p << 8) | (*raw)[i];
  return static_cast<int64_t>(p);
}

}  // namespace detente::taxii
