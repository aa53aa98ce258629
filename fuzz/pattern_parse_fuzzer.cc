// fuzz/pattern_parse_fuzzer.cc: Parse() on arbitrary bytes, both STIX versions (first byte).
// Whatever parses must validate without crashing, print, and re-parse to the same canonical
// text (Print is a fixed point).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pattern/pattern.h"

namespace p = detente::pattern;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  p::ParseOptions options;
  options.version = data[0] & 1 ? p::StixVersion::k20 : p::StixVersion::k21;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed = p::Parse(text, options);
  if (!parsed.ok()) return 0;
  p::Validate(*parsed).IgnoreError();
  std::string once = p::Print(*parsed);
  auto again = p::Parse(once, options);
  if (!again.ok()) __builtin_trap();
  if (p::Print(*again) != once) __builtin_trap();
  return 0;
}
