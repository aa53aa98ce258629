// fuzz/base_parsers_fuzzer.cc: the small parsers of base on arbitrary bytes. The first byte
// picks the parser; accepted input must round-trip through the matching formatter.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/base.h"

namespace b = detente::base;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {  // RFC 3339: a parsed timestamp formats to an equal instant
      auto t = b::Timestamp::Parse(text);
      if (t.ok()) {
        auto back = b::Timestamp::Parse(t->Format());
        if (!back.ok() || *back != *t) __builtin_trap();
      }
      auto s = b::Timestamp::ParseStix(text);
      if (s.ok() && s->Format() != text) __builtin_trap();  // STIX form is exact
      break;
    }
    case 1:
    case 2: {  // base64: strict decoding means decode(x) == y implies encode(y) == x
      const auto alphabet =
          data[0] % 5 == 1 ? b::Base64Alphabet::kStandard : b::Base64Alphabet::kUrlSafe;
      for (auto padding : {b::Base64Padding::kRequired, b::Base64Padding::kNone}) {
        auto d = b::Base64Decode(text, alphabet, padding);
        if (d.ok() && b::Base64Encode(*d, alphabet, padding) != text) __builtin_trap();
      }
      break;
    }
    case 3: {  // hex: decode then encode gives the lower-cased input
      auto d = b::HexDecode(text);
      if (d.ok()) {
        std::string lower(text);
        for (char& c : lower) c = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
        if (b::HexEncode(*d) != lower) __builtin_trap();
      }
      break;
    }
    default: {  // UUID
      auto u = b::Uuid::Parse(text);
      if (u.ok()) {
        auto back = b::Uuid::Parse(u->ToString());
        if (!back.ok() || *back != *u) __builtin_trap();
      }
    }
  }
  return 0;
}
