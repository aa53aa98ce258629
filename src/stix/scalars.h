// stix/scalars.h: allocation-free checks of STIX 2.1 scalar formats (timestamps, identifiers,
// UUIDs, base64, hex, language tags). Internal to the stix module; used on the validation hot
// path, so each returns nullptr on success or a static message naming what is wrong.
#pragma once

#include <cstdint>
#include <string_view>

namespace detente::stix::internal {

// An instant parsed from a STIX timestamp: seconds since the Unix epoch, nanoseconds (from
// the first nine fractional digits) and the number of fractional digits written.
struct StixTime {
  int64_t seconds = 0;
  int32_t nanos = 0;
  int32_t digits = 0;
};

inline int CompareTime(const StixTime& a, const StixTime& b) {
  if (a.seconds != b.seconds) return a.seconds < b.seconds ? -1 : 1;
  if (a.nanos != b.nanos) return a.nanos < b.nanos ? -1 : 1;
  return 0;
}

// Section 2.16: YYYY-MM-DDTHH:mm:ss[.s+]Z, UTC, upper-case 'T' and 'Z'.
const char* ParseStixTimestamp(std::string_view s, StixTime* out);

// RFC 4122 UUID in the 8-4-4-4-12 form with the RFC 4122 variant and version 1-5.
// On success *version is the version digit.
const char* CheckUuid(std::string_view s, int* version);

// "<type>--<uuid>". On success *type is the prefix and *version the UUID version.
const char* CheckIdentifier(std::string_view s, std::string_view* type, int* version);

// RFC 4648 base64 (standard alphabet, '=' padding required, canonical trailing bits).
const char* CheckBase64(std::string_view s);

// Section 2.8: an even number of the characters 0-9 a-f.
const char* CheckHex(std::string_view s);

// RFC 5646 language tag (syntax only: alpha{2,3}|alpha{4,8} then -alnum{1,8} subtags).
const char* CheckLanguageTag(std::string_view s);

// Section 3.1 / 11.1.1: a custom or extension property name: 3..250 of a-z 0-9 _.
const char* CheckPropertyName(std::string_view s);

// Section 11.2.1 / 7.3.2: a type name: 3..250 of a-z 0-9 -, begins with a letter, no "--".
const char* CheckTypeName(std::string_view s);

// Section 2.3 / 2.7: dictionary key: 1..250 (hashes: 3..250) of a-z A-Z 0-9 - _.
const char* CheckDictionaryKey(std::string_view s, bool hashes);

}  // namespace detente::stix::internal
