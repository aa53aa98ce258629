// fuzz/accord_document_fuzzer.cc: Accord::Parse on hostile bytes (an accord file handed to
// `detente accord verify|join` or `init --accord`). An accepted document must round-trip:
// its canonical form parses to the same canonical form and hash; Verify must not crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "accord/accord.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detente::accord;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto a = Accord::Parse(in);
  if (!a.ok()) return 0;
  std::string out = a->ToJson();
  auto again = Accord::Parse(out);
  if (!again.ok() || again->ToJson() != out || again->Hash() != a->Hash()) std::abort();
  (void)a->Verify(true);
  (void)a->Verify(false);
  for (const auto& p : a->parties) {
    if (!LogVerifier(*a, p.name).ok()) std::abort();
  }
  return 0;
}
