// base/uuid.h: RFC 9562 (formerly 4122) UUIDs: parse, format, version 4 (random) and
// version 5 (SHA-1 name-based), as STIX 2.1 identifiers use them.
//
// Thread-safety: Uuid is a value type; V4() and V5() may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace detente::base {

class Uuid {
 public:
  Uuid() = default;  // the nil UUID
  explicit Uuid(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}

  // Canonical 8-4-4-4-12 form; lower- or upper-case hex accepted; no braces, no "urn:uuid:".
  // Errors: kInvalidArgument ("uuid: expected 36 characters, got 32", "uuid: bad hex digit
  // at 9", "uuid: expected '-' at 8"). Any version and variant is accepted.
  static Result<Uuid> Parse(std::string_view text);

  // A random version 4 UUID from the OS CSPRNG (getrandom).
  static Uuid V4();
  // Version 5: SHA-1 of namespace bytes || name, RFC 9562 section 5.5.
  static Uuid V5(const Uuid& name_space, std::string_view name);

  // Lower-case canonical form.
  std::string ToString() const;
  int version() const { return bytes_[6] >> 4; }
  // True for the RFC 9562 variant (10xx).
  bool is_rfc_variant() const { return (bytes_[8] & 0xC0) == 0x80; }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

// The STIX 2.1 namespace for deterministic SCO ids: 00abedb4-aa42-466c-9c01-fed23315a9b7.
Uuid StixScoNamespace();

}  // namespace detente::base
