// base/encoding.h: strict hex and base64 (RFC 4648 standard and URL-safe alphabets).
//
// Decoders are strict: they reject whitespace, characters outside the alphabet, wrong or
// missing padding (when padding is required), and non-zero trailing bits (non-canonical input),
// with kInvalidArgument naming the offending position, e.g. "hex: bad digit 'g' at 1",
// "base64: invalid character '-' at 0", "base64url: non-canonical encoding: non-zero trailing
// bits at 2", "base64: missing padding: length 3 is not a multiple of 4". Canonical means
// Decode(x) == y implies Encode(y) == x (for the same alphabet and padding mode).
//
// Thread-safety: all functions are pure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace detente::base {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsChars(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// Lower-case hex.
std::string HexEncode(ByteView data);
// Accepts upper- and lower-case digits; rejects odd length and non-hex characters.
Result<Bytes> HexDecode(std::string_view hex);

enum class Base64Alphabet { kStandard, kUrlSafe };
enum class Base64Padding {
  kRequired,  // encoder pads; decoder requires correct '=' padding
  kNone,      // encoder omits; decoder rejects '='
  kOptional,  // decoder only: accepts either (encoder pads)
};

std::string Base64Encode(ByteView data, Base64Alphabet alphabet = Base64Alphabet::kStandard,
                         Base64Padding padding = Base64Padding::kRequired);
Result<Bytes> Base64Decode(std::string_view text,
                           Base64Alphabet alphabet = Base64Alphabet::kStandard,
                           Base64Padding padding = Base64Padding::kRequired);

}  // namespace detente::base
