// stix/markings.cc: the fixed TLP marking definitions. Tested by markings_test.cc.
//
// TLP 1.0: STIX 2.1 section 7.2.1.4 defines four marking-definition objects with fixed ids
// (created 2017-01-20T00:00:00.000Z, definition_type "tlp"); no other TLP marking definitions
// may be created. TLP 2.0: the OASIS CTI TC publishes five marking-definition objects that use
// the property extension extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d with the
// property tlp_2_0 (created 2022-10-01T00:00:00.000Z).
#include <algorithm>
#include <string>

#include "stix/stix.h"

namespace detente::stix {
namespace {

constexpr TlpMarking kTlpMarkings[] = {
    // TLP 1.0 (STIX 2.1 section 7.2.1.4).
    {TlpLevel::kClear, 1, "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE"},
    {TlpLevel::kGreen, 1, "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN"},
    {TlpLevel::kAmber, 1, "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER"},
    {TlpLevel::kRed, 1, "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED"},
    // TLP 2.0 (OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
    {TlpLevel::kClear, 2, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR"},
    {TlpLevel::kGreen, 2, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN"},
    {TlpLevel::kAmber, 2, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER"},
    {TlpLevel::kAmberStrict, 2, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
     "TLP:AMBER+STRICT"},
    {TlpLevel::kRed, 2, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED"},
};

constexpr size_t kFirstTlp2 = 4;

}  // namespace

std::optional<TlpMarking> TlpForMarkingId(std::string_view marking_id) {
  for (const TlpMarking& m : kTlpMarkings) {
    if (m.id == marking_id) return m;
  }
  return std::nullopt;
}

std::span<const TlpMarking> AllTlpMarkings() { return kTlpMarkings; }

const TlpMarking& Tlp2Marking(TlpLevel level) {
  for (size_t i = kFirstTlp2; i < std::size(kTlpMarkings); ++i) {
    if (kTlpMarkings[i].level == level) return kTlpMarkings[i];
  }
  DETENTE_CHECK(false);  // every level has a TLP 2.0 marking
  return kTlpMarkings[kFirstTlp2];
}

std::string_view TlpLevelName(TlpLevel level) {
  switch (level) {
    case TlpLevel::kClear:
      return "clear";
    case TlpLevel::kGreen:
      return "green";
    case TlpLevel::kAmber:
      return "amber";
    case TlpLevel::kAmberStrict:
      return "amber+strict";
    case TlpLevel::kRed:
      return "red";
  }
  return "red";
}

std::string TlpMarkingDefinitionJson(const TlpMarking& marking) {
  std::string out = R"({"type":"marking-definition","spec_version":"2.1","id":")";
  out.append(marking.id);
  if (marking.tlp_version == 1) {
    std::string_view level =
        marking.level == TlpLevel::kClear ? "white" : TlpLevelName(marking.level);
    out.append(R"(","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":")");
    out.append(marking.name);
    out.append(R"(","definition":{"tlp":")");
    out.append(level);
    out.append("\"}}");
  } else {
    out.append(R"(","created":"2022-10-01T00:00:00.000Z","name":")");
    out.append(marking.name);
    out.append(R"(","extensions":{")");
    out.append(kTlp2ExtensionId);
    out.append(R"(":{"extension_type":"property-extension","tlp_2_0":")");
    out.append(TlpLevelName(marking.level));
    out.append("\"}}}");
  }
  return out;
}

std::optional<TlpLevel> StrictestTlp(std::span<const std::string_view> marking_ids) {
  std::optional<TlpLevel> strictest;
  for (std::string_view id : marking_ids) {
    auto m = TlpForMarkingId(id);
    if (m && (!strictest || static_cast<int>(m->level) > static_cast<int>(*strictest))) {
      strictest = m->level;
    }
  }
  return strictest;
}

}  // namespace detente::stix
