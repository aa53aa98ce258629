// key_pem_fuzzer: SigningKey::FromPem and PublicKey::FromPem on arbitrary bytes must return
// a Status, never crash; a key that parses must re-encode to PEM that parses to the same key.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "crypto/crypto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using detente::crypto::PublicKey;
  using detente::crypto::SigningKey;
  if (auto key = SigningKey::FromPem(text); key.ok()) {
    auto again = SigningKey::FromPem(key->ToPem());
    DETENTE_CHECK(again.ok() && again->seed() == key->seed());
  }
  if (auto pub = PublicKey::FromPem(text); pub.ok()) {
    auto again = PublicKey::FromPem(pub->ToPem());
    DETENTE_CHECK(again.ok() && *again == *pub);
  }
  return 0;
}
