// Fuzzes the raw query string parser and the TAXII filter parser for every endpoint.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "taxii/filter.h"
#include "taxii/taxii.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto q = detente::taxii::ParseQueryString(raw);
  if (!q.ok()) return 0;
  for (auto e : {detente::taxii::Endpoint::kObjects, detente::taxii::Endpoint::kObject,
                 detente::taxii::Endpoint::kVersions}) {
    auto p = detente::taxii::ParseQueryParams(*q, e);
    if (p.ok() && p->filter.version_all &&
        (p->filter.version_first || !p->filter.versions.empty())) {
      __builtin_trap();  // "all" must never combine with anything else
    }
  }
  return 0;
}
