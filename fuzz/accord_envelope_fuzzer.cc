// fuzz/accord_envelope_fuzzer.cc: Envelope::Parse on hostile bytes (what a partner's inbox
// POST carries), then VerifyEnvelope against a fixed accord. An accepted envelope must be
// canonical: its serialisation is exactly the input, and it parses again to the same bytes;
// its entry header must be canonical JSON too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "accord/accord.h"

namespace {
const detente::accord::Accord& FixedAccord() {
  static const detente::accord::Accord* a = [] {
    auto* acc = new detente::accord::Accord();
    acc->name = "fuzz";
    acc->created = "2026-01-01T00:00:00Z";
    for (uint8_t i = 1; i <= 3; ++i) {
      std::array<uint8_t, 32> seed{};
      seed.fill(i);
      auto key = detente::crypto::SigningKey::FromSeed(seed).value();
      std::string name = i == 1 ? "alpha" : i == 2 ? "beta" : "gamma";
      acc->parties.push_back({name, key.public_key(), {}});
    }
    return acc;
  }();
  return *a;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detente::accord;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto env = Envelope::Parse(in);
  if (!env.ok()) return 0;
  if (env->ToJson() != in) std::abort();
  auto again = Envelope::Parse(env->ToJson());
  if (!again.ok() || again->ToJson() != in) std::abort();
  (void)VerifyEnvelope(*env, FixedAccord());
  std::string header = EntryHeader(*env);
  auto canon = detente::base::CanonicalizeJson(header);
  if (!canon.ok() || *canon != header) std::abort();
  if (env->kind == "receipt") (void)ReceiptBody::Parse(env->body);
  return 0;
}
