// Fuzzes envelope splitting: every produced object view lies inside the body and is itself a
// JSON object (starts with '{', ends with '}').
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "taxii/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto objects = detente::taxii::SplitEnvelope(body);
  if (!objects.ok()) return 0;
  for (std::string_view o : *objects) {
    if (o.data() < body.data() || o.data() + o.size() > body.data() + body.size()) {
      __builtin_trap();
    }
    if (o.size() < 2 || o.front() != '{' || o.back() != '}') __builtin_trap();
  }
  return 0;
}
