// stix/ids.cc: deterministic SCO ids (STIX 2.1 sections 2.9 and 3.4). Tested by ids_test.cc.
//
// The name of the UUIDv5 is the RFC 8785 (JCS) serialisation of a JSON object holding the
// SCO's ID Contributing Properties that are present; for "hashes" only one hash is kept, the
// first of MD5, SHA-1, SHA-256, SHA-512 that is present, else the first in document order
// (the choice the OASIS python-stix2 library makes). Namespace 00abedb4-aa42-466c-9c01-
// fed23315a9b7.
#include "stix/ids.h"

#include <string_view>

#include "base/json.h"
#include "base/uuid.h"
#include "stix/stix.h"

namespace detente::stix {

using simdjson::SUCCESS;
using simdjson::dom::element;
using simdjson::dom::object;

namespace internal {

namespace {

void AppendKey(std::string* out, std::string_view key) {
  if (out->size() > 1) out->push_back(',');
  out->push_back('"');
  out->append(key);  // property names are plain ASCII (checked by the caller's table)
  out->append("\":");
}

}  // namespace

bool HasIdContributingProperty(const ObjectSpec& spec, const object& o) {
  for (std::string_view name : spec.id_contributing) {
    element e;
    if (o.at_key(name).get(e) == SUCCESS) return true;
  }
  return false;
}

base::Result<std::string> IdContributingJson(const ObjectSpec& spec, const object& o) {
  std::string json = "{";
  for (std::string_view name : spec.id_contributing) {
    element e;
    if (o.at_key(name).get(e) != SUCCESS) continue;
    AppendKey(&json, name);
    object hashes;
    if (name == "hashes" && e.get(hashes) == SUCCESS) {
      std::string_view chosen;
      element chosen_value;
      for (std::string_view algorithm : {"MD5", "SHA-1", "SHA-256", "SHA-512"}) {
        if (hashes.at_key(algorithm).get(chosen_value) == SUCCESS) {
          chosen = algorithm;
          break;
        }
      }
      if (chosen.empty()) {
        for (auto [key, value] : hashes) {
          chosen = key;
          chosen_value = value;
          break;
        }
      }
      json.push_back('{');
      if (!chosen.empty()) {
        base::AppendJsonString(&json, chosen);
        json.push_back(':');
        json.append(simdjson::to_string(chosen_value));
      }
      json.push_back('}');
    } else {
      json.append(simdjson::to_string(e));
    }
  }
  json.push_back('}');
  if (json.size() == 2) {
    return base::NotFoundError(std::string(spec.name) +
                               ": no ID Contributing Properties present (use a UUIDv4)");
  }
  return base::CanonicalizeJson(json);
}

base::Result<std::string> ScoIdFromObject(const ObjectSpec& spec, const object& o) {
  ASSIGN_OR_RETURN(std::string name, IdContributingJson(spec, o));
  return std::string(spec.name) + "--" + base::Uuid::V5(base::StixScoNamespace(), name).ToString();
}

}  // namespace internal

bool IsScoType(std::string_view type) {
  const internal::ObjectSpec* spec = internal::FindObjectSpec(type);
  return spec != nullptr && spec->category == internal::Category::kSco;
}

namespace {

base::Result<std::string> WithParsedSco(std::string_view json, bool full_id) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element doc;
  if (auto error = parser.parse(padded).get(doc); error != SUCCESS) {
    return base::InvalidArgumentError(std::string("not valid JSON: ") +
                                      simdjson::error_message(error));
  }
  object o;
  if (doc.get(o) != SUCCESS) return base::InvalidArgumentError("not a JSON object");
  std::string_view type;
  if (o.at_key("type").get(type) != SUCCESS) {
    return base::InvalidArgumentError("object has no string \"type\"");
  }
  const internal::ObjectSpec* spec = internal::FindObjectSpec(type);
  if (spec == nullptr || spec->category != internal::Category::kSco) {
    std::string message(1, '"');
    message.append(type.substr(0, 100));
    message.append("\" is not an SCO type");
    return base::InvalidArgumentError(std::move(message));
  }
  if (full_id) return internal::ScoIdFromObject(*spec, o);
  return internal::IdContributingJson(*spec, o);
}

}  // namespace

base::Result<std::string> ScoIdContributingJson(std::string_view json) {
  return WithParsedSco(json, /*full_id=*/false);
}

base::Result<std::string> DeterministicScoId(std::string_view json) {
  return WithParsedSco(json, /*full_id=*/true);
}

}  // namespace detente::stix
