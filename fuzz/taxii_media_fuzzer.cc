// Fuzzes Accept and Content-Type parsing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "taxii/negotiation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ranges = detente::taxii::ParseAccept(text);
  if (ranges.ok()) {
    for (const auto& r : *ranges) {
      if (r.q < 0 || r.q > 1) __builtin_trap();
    }
  }
  (void)detente::taxii::AcceptsTaxii(text);
  (void)detente::taxii::IsTaxiiContentType(text);
  (void)detente::taxii::ParseMediaType(text).ok();
  return 0;
}
