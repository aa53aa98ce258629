// pattern/values.h: the value types patterns compare (internal): STIX timestamps with exact
// fractional seconds, IPv4/IPv6 addresses and CIDR blocks, and regexes compiled with RE2.
//
// Thread-safety: values; RE2 objects are thread-safe for matching.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "pattern/pattern.h"

namespace detente::pattern {

// An instant in UTC: seconds since 1970-01-01 plus the fractional digits, kept exactly
// (trailing zeros removed) so that any precision compares exactly.
struct TimeValue {
  int64_t seconds = 0;
  std::string fraction;  // decimal digits after the point, no trailing zeros
  uint32_t nanos() const;

  friend bool operator==(const TimeValue& a, const TimeValue& b) {
    return a.seconds == b.seconds && a.fraction == b.fraction;
  }
  // <0, 0, >0.
  static int Compare(const TimeValue& a, const TimeValue& b);
};

// Parses "YYYY-MM-DDTHH:MM:SS[.digits]Z" exactly (upper-case T and Z, two-digit fields, a
// real calendar date, seconds 00-59). False when `text` is not such a timestamp.
bool ParseTimeValue(std::string_view text, TimeValue* out);

// A duration or instant in whole nanoseconds, wide enough for years 0001-9999.
__extension__ typedef __int128 Nanos128;
inline Nanos128 ToNanos(const TimeValue& t) {
  return static_cast<Nanos128>(t.seconds) * 1'000'000'000 + t.nanos();
}

// Parses a WITHIN number ("300", "46.1", ".0001") into nanoseconds, rounding up below a
// nanosecond so that a positive value stays positive. Values are capped at 10^13 seconds.
Nanos128 SecondsToNanos(std::string_view number);

// An IPv4 or IPv6 network: the address bytes (4 or 16 used) and the prefix length.
struct IpNetwork {
  bool v6 = false;
  uint8_t bytes[16] = {};
  int prefix = 0;
};

// Parses "a.b.c.d", "a.b.c.d/n", an RFC 4291 IPv6 address (with "::" and an optional dotted
// IPv4 tail), or one with "/n". A bare address has the full prefix (32 or 128).
bool ParseIpNetwork(std::string_view text, IpNetwork* out);

// True when `inner` lies within `outer` (same family; host bits of both are ignored).
bool NetworkContains(const IpNetwork& outer, const IpNetwork& inner);

// CompileRegex and CompileLike are declared in pattern.h (the match module uses them).

// The Latin-1 bytes of UTF-8 `text` when every code point is < 256.
bool Utf8ToLatin1(std::string_view text, std::string* out);

}  // namespace detente::pattern
