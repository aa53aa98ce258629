// stix/ids.h: deterministic SCO ids over parsed objects (internal to the stix module).
#pragma once

#include <string>

#include <simdjson.h>

#include "base/result.h"
#include "stix/schema.h"

namespace detente::stix::internal {

// True when `o` has at least one of the ID Contributing Properties of `spec`.
bool HasIdContributingProperty(const ObjectSpec& spec, const simdjson::dom::object& o);

// The JCS-canonical JSON of the ID Contributing Properties of `o`.
// Errors: kNotFound when none is present (or the type has none: process).
base::Result<std::string> IdContributingJson(const ObjectSpec& spec,
                                             const simdjson::dom::object& o);

// "<type>--<UUIDv5>" for `o`. Errors: as IdContributingJson.
base::Result<std::string> ScoIdFromObject(const ObjectSpec& spec, const simdjson::dom::object& o);

}  // namespace detente::stix::internal
