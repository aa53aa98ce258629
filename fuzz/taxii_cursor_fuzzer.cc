// Fuzzes the `next` cursor decoder: any token either decodes to the position it was made with
// (only possible with a valid HMAC) or is refused; round trips are checked too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "taxii/cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const detente::taxii::CursorCodec codec(std::string(32, 'k'));
  static const std::string binding = detente::taxii::CursorCodec::Binding("c", "", "u", "f");
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto pos = codec.Decode(token, binding);
  if (pos.ok() && codec.Encode(*pos, binding) != token) __builtin_trap();
  if (size >= 8) {
    int64_t p = 0;
    for (int i = 0; i < 8; ++i) p = (p << 8) | data[i];
    auto back = codec.Decode(codec.Encode(p, binding), binding);
    if (!back.ok() || *back != p) __builtin_trap();
  }
  return 0;
}
