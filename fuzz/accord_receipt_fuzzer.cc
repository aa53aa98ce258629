// fuzz/accord_receipt_fuzzer.cc: ReceiptBody::Parse on hostile bytes (the body of a receipt a
// partner returns). An accepted body must serialise to canonical JSON that parses back to the
// same body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "accord/accord.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detente::accord;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = ReceiptBody::Parse(in);
  if (!r.ok()) return 0;
  std::string out = r->ToJson();
  auto again = ReceiptBody::Parse(out);
  if (!again.ok() || again->ToJson() != out) std::abort();
  auto canon = detente::base::CanonicalizeJson(out);
  if (!canon.ok() || *canon != out) std::abort();
  return 0;
}
