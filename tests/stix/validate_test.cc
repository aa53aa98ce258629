// stix/validate_test.cc: the validator, table-driven. Every base object (one per type, in
// base_objects.h) is valid with no warnings; every rule then has a row that mutates a base
// object and names the expected error or warning (JSON Pointer path and message substring),
// and rows that stay valid.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stix/base_objects.h"
#include "stix/mutate.h"
#include "stix/stix.h"

namespace detente::stix {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::BaseObjects;
using testing::Edit;
using testing::Remove;
using testing::Set;

std::string DumpIssues(const Report& r) {
  std::string out;
  for (const Issue& i : r.errors) out += "  error " + i.path + ": " + i.message + "\n";
  for (const Issue& i : r.warnings) out += "  warning " + i.path + ": " + i.message + "\n";
  return out;
}

TEST(BaseObjectsTest, EveryTypeHasAValidBaseObjectWithoutWarnings) {
  EXPECT_EQ(BaseObjects().size(), 42u);  // 19 SDOs, 2 SROs, 18 SCOs, 3 meta types
  Validator validator;
  Report report;
  for (const auto& [type, json] : BaseObjects()) {
    validator.Validate(json, &report);
    EXPECT_TRUE(report.valid()) << type << "\n" << DumpIssues(report);
    EXPECT_THAT(report.warnings, IsEmpty()) << type << "\n" << DumpIssues(report);
    EXPECT_EQ(report.type, type);
    EXPECT_THAT(report.id, ::testing::StartsWith(type + "--"));
  }
}

enum class Severity { kError, kWarning, kNone };

struct Case {
  const char* name;
  const char* type;  // base object
  std::vector<Edit> edits;
  Severity severity;
  std::string path;     // expected issue path
  std::string message;  // expected substring
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class MutationTest : public ::testing::TestWithParam<Case> {};

TEST_P(MutationTest, ReportsTheExpectedIssue) {
  const Case& c = GetParam();
  ASSERT_TRUE(BaseObjects().count(c.type)) << c.type;
  std::string json = testing::Apply(BaseObjects().at(c.type), c.edits);
  Report report = ValidateObject(json);
  auto issue = AllOf(Field(&Issue::path, c.path), Field(&Issue::message, HasSubstr(c.message)));
  switch (c.severity) {
    case Severity::kError:
      EXPECT_FALSE(report.valid()) << json;
      EXPECT_THAT(report.errors, Contains(issue)) << json << "\n" << DumpIssues(report);
      break;
    case Severity::kWarning:
      EXPECT_TRUE(report.valid()) << json << "\n" << DumpIssues(report);
      EXPECT_THAT(report.warnings, Contains(issue)) << json << "\n" << DumpIssues(report);
      break;
    case Severity::kNone:
      EXPECT_TRUE(report.valid()) << json << "\n" << DumpIssues(report);
      EXPECT_THAT(report.warnings, IsEmpty()) << json << "\n" << DumpIssues(report);
      break;
  }
}

constexpr Severity E = Severity::kError;
constexpr Severity W = Severity::kWarning;
constexpr Severity OK = Severity::kNone;

const char kIdentity[] = R"("identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e")";
const char kMalwareRef[] = R"("malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b")";
const char kExtDef[] = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";

std::vector<Case> Cases() {
  std::string ext_key = std::string("/extensions/") + kExtDef;
  return {
      // --- Common properties, ids and timestamps (sections 2.9, 2.16, 3.2). ---
      {"TypeMissing", "indicator", {Remove("/type")}, E, "/type", "required property is missing"},
      {"TypeNotString", "indicator", {Set("/type", "5")}, E, "/type", "must be a string"},
      {"IdMissing", "indicator", {Remove("/id")}, E, "/id", "required property is missing"},
      {"IdPrefixDiffersFromType", "indicator", {Set("/id", kMalwareRef)}, E, "/id",
       "does not match type"},
      {"IdUuidTooShort", "indicator",
       {Set("/id", R"("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3")")}, E, "/id",
       "identifier must have the form"},
      {"IdUuidWrongVariant", "indicator",
       {Set("/id", R"("indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f")")}, E, "/id",
       "variant"},
      {"IdUuidBadHex", "indicator",
       {Set("/id", R"("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cdzz")")}, E, "/id",
       "not a hex digit"},
      {"SdoIdNotV4Warns", "indicator",
       {Set("/id", R"("indicator--8e2e2d2b-17d4-1cbf-938f-98ee46b3cd3f")")}, W, "/id", "UUIDv4"},
      {"SpecVersionMissing", "indicator", {Remove("/spec_version")}, E, "/spec_version",
       "required property is missing"},
      {"SpecVersionNot21", "indicator", {Set("/spec_version", R"("2.0")")}, E, "/spec_version",
       "must be \"2.1\""},
      {"CreatedMissing", "indicator", {Remove("/created")}, E, "/created", "required"},
      {"ModifiedMissing", "indicator", {Remove("/modified")}, E, "/modified", "required"},
      {"CreatedNeedsMilliseconds", "indicator", {Set("/created", R"("2016-04-06T20:03:48Z")")},
       E, "/created", "millisecond precision"},
      {"ModifiedMicrosecondsAreFine", "indicator",
       {Set("/modified", R"("2016-04-06T20:03:48.123456Z")")}, OK, "", ""},
      {"ModifiedBeforeCreated", "indicator",
       {Set("/modified", R"("2016-04-06T20:03:47.999Z")")}, E, "/modified",
       "later than or equal to created"},
      {"TimestampLowerCaseT", "indicator", {Set("/created", R"("2016-04-06t20:03:48.000Z")")},
       E, "/created", "upper-case 'T'"},
      {"TimestampWithOffset", "indicator",
       {Set("/created", R"("2016-04-06T20:03:48.000+00:00")")}, E, "/created", "UTC"},
      {"TimestampMonth13", "indicator", {Set("/created", R"("2016-13-06T20:03:48.000Z")")}, E,
       "/created", "month out of range"},
      {"TimestampFebruary30", "indicator",
       {Set("/created", R"("2016-02-30T20:03:48.000Z")")}, E, "/created", "day out of range"},
      {"TimestampDotWithoutDigits", "indicator",
       {Set("/valid_from", R"("2016-04-06T20:03:48.Z")")}, E, "/valid_from",
       "without fractional digits"},
      {"TimestampNotString", "indicator", {Set("/valid_from", "1451606400")}, E, "/valid_from",
       "must be a timestamp string"},
      {"RevokedNotBoolean", "indicator", {Set("/revoked", R"("yes")")}, E, "/revoked",
       "true or false"},
      {"LabelsEmptyList", "indicator", {Set("/labels", "[]")}, E, "/labels",
       "must not be an empty list"},
      {"LabelsNotList", "indicator", {Set("/labels", R"("x")")}, E, "/labels", "must be a list"},
      {"LabelsItemNotString", "indicator", {Set("/labels", "[1]")}, E, "/labels/0",
       "must be a string"},
      {"ConfidenceAbove100", "indicator", {Set("/confidence", "101")}, E, "/confidence",
       "between 0 and 100"},
      {"ConfidenceNotInteger", "indicator", {Set("/confidence", "1.5")}, E, "/confidence",
       "must be an integer"},
      {"LangNotATag", "indicator", {Set("/lang", R"("e")")}, E, "/lang", "RFC 5646"},
      {"CreatedByRefMustBeIdentity", "indicator", {Set("/created_by_ref", kMalwareRef)}, E,
       "/created_by_ref", "must reference identity"},
      {"ObjectMarkingRefsMustBeMarkings", "indicator",
       {Set("/object_marking_refs", std::string("[") + kIdentity + "]")}, E,
       "/object_marking_refs/0", "must reference marking-definition"},
      {"DefangedOnlyOnScos", "indicator", {Set("/defanged", "true")}, E, "/defanged",
       "must not be present"},
      {"ReservedPropertyName", "indicator", {Set("/severity", R"("high")")}, E, "/severity",
       "reserved"},
      {"NullValue", "indicator", {Set("/name", "null")}, E, "/name", "must not be null"},
      // --- Custom properties (sections 3.1, 11.1). ---
      {"CustomPropertyWithXPrefix", "indicator", {Set("/x_acme_score", "5")}, OK, "", ""},
      {"CustomPropertyWithoutXPrefixWarns", "indicator", {Set("/acme_score", "5")}, W,
       "/acme_score", "should start with \"x_\""},
      {"CustomPropertyUpperCase", "indicator", {Set("/X_Acme", "5")}, E, "/X_Acme",
       "may contain only a-z"},
      {"CustomPropertyTooShort", "indicator", {Set("/xy", "5")}, E, "/xy",
       "at least 3 characters"},
      {"CustomPropertyNull", "indicator", {Set("/x_acme", "null")}, E, "/x_acme",
       "must not be null"},
      // --- External references and kill chain phases (sections 2.5, 2.11). ---
      {"ExternalReferenceNeedsDescriptionUrlOrId", "indicator",
       {Set("/external_references", R"([{"source_name":"acme"}])")}, E,
       "/external_references/0", "at least one of description, url or external_id"},
      {"ExternalReferenceNeedsSourceName", "indicator",
       {Set("/external_references", R"([{"external_id":"1"}])")}, E,
       "/external_references/0/source_name", "required property is missing"},
      {"ExternalReferenceUrlWithoutHashesWarns", "indicator",
       {Set("/external_references", R"([{"source_name":"acme","url":"https://a.example"}])")},
       W, "/external_references/0", "should have hashes"},
      {"ExternalReferenceBadHash", "indicator",
       {Set("/external_references",
            R"([{"source_name":"acme","url":"https://a.example","hashes":{"MD5":"zz"}}])")},
       E, "/external_references/0/hashes/MD5", "not a valid MD5 hash"},
      {"KillChainPhaseNeedsPhaseName", "indicator",
       {Set("/kill_chain_phases", R"([{"kill_chain_name":"lockheed"}])")}, E,
       "/kill_chain_phases/0/phase_name", "required property is missing"},
      {"KillChainPhaseUpperCaseWarns", "indicator",
       {Set("/kill_chain_phases", R"([{"kill_chain_name":"lockheed","phase_name":"Recon"}])")},
       W, "/kill_chain_phases/0/phase_name", "lower case"},
      // --- Granular markings (section 7.2.3). ---
      {"GranularMarkingValid", "indicator",
       {Set("/granular_markings",
            R"([{"marking_ref":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","selectors":["name","labels.[0]"]},{"lang":"de","selectors":["pattern"]}])")},
       OK, "", ""},
      {"GranularMarkingNeedsLangOrRef", "indicator",
       {Set("/granular_markings", R"([{"selectors":["name"]}])")}, E, "/granular_markings/0",
       "exactly one of lang and marking_ref"},
      {"GranularMarkingNotBoth", "indicator",
       {Set("/granular_markings",
            R"([{"lang":"en","marking_ref":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","selectors":["name"]}])")},
       E, "/granular_markings/0", "exactly one of lang and marking_ref"},
      {"GranularMarkingSelectorMustResolve", "indicator",
       {Set("/granular_markings", R"([{"lang":"en","selectors":["name","labels.[3]"]}])")}, E,
       "/granular_markings/0/selectors/1", "does not refer to content present"},
      {"GranularMarkingSelectorNotIntoString", "indicator",
       {Set("/granular_markings", R"([{"lang":"en","selectors":["name.[0]"]}])")}, E,
       "/granular_markings/0/selectors/0", "does not refer"},
      {"GranularMarkingRefMustBeMarking", "indicator",
       {Set("/granular_markings",
            std::string(R"([{"marking_ref":)") + kIdentity + R"(,"selectors":["name"]}])")},
       E, "/granular_markings/0/marking_ref", "must reference marking-definition"},
      // --- Extensions (sections 3.2, 7.3, 11.3). ---
      {"ExtensionsEmpty", "indicator", {Set("/extensions", "{}")}, E, "/extensions",
       "must not be an empty dictionary"},
      {"PropertyExtensionValid", "indicator",
       {Set("/extensions",
            std::string(R"({")") + kExtDef + R"(":{"extension_type":"property-extension","rank":5}})")},
       OK, "", ""},
      {"ExtensionNeedsExtensionType", "indicator",
       {Set("/extensions", std::string(R"({")") + kExtDef + R"(":{"rank":5}})")}, E,
       ext_key + "/extension_type", "required property is missing"},
      {"ExtensionTypeFromEnum", "indicator",
       {Set("/extensions",
            std::string(R"({")") + kExtDef + R"(":{"extension_type":"new-thing"}})")},
       E, ext_key + "/extension_type", "extension-type-enum"},
      {"PropertyExtensionNeedsProperties", "indicator",
       {Set("/extensions",
            std::string(R"({")") + kExtDef + R"(":{"extension_type":"property-extension"}})")},
       E, ext_key, "one or more properties"},
      {"ExtensionPropertyNameRules", "indicator",
       {Set("/extensions",
            std::string(R"({")") + kExtDef +
                R"(":{"extension_type":"property-extension","Rank":5}})")},
       E, ext_key + "/Rank", "may contain only a-z"},
      {"ToplevelExtensionAllowsUnprefixedProperties", "indicator",
       {Set("/extensions",
            std::string(R"({")") + kExtDef +
                R"(":{"extension_type":"toplevel-property-extension"}})"),
        Set("/rank", "5")},
       OK, "", ""},
      {"ExtensionKeyBadIdentifier", "indicator",
       {Set("/extensions", R"({"extension-definition--1234":{"extension_type":"new-sdo"}})")},
       E, "/extensions/extension-definition--1234", "not a valid extension-definition"},
      {"SdoExtensionKeyNotADefinitionWarns", "indicator",
       {Set("/extensions", R"({"x-acme-ext":{"rank":5}})")}, W, "/extensions/x-acme-ext",
       "should be the id of an extension-definition"},
      // --- SDO specific rules (section 4). ---
      {"AttackPatternCapecIdFormat", "attack-pattern",
       {Set("/external_references/0/external_id", R"("163")")}, E,
       "/external_references/0/external_id", "CAPEC-"},
      {"AttackPatternNameRequired", "attack-pattern", {Remove("/name")}, E, "/name", "required"},
      {"CampaignLastSeenBeforeFirstSeen", "campaign",
       {Set("/last_seen", R"("2015-12-31T23:59:59.999Z")")}, E, "/last_seen",
       "later than or equal to first_seen"},
      {"CampaignLastSeenEqualFirstSeen", "campaign",
       {Set("/last_seen", R"("2016-01-01T00:00:00.000Z")")}, OK, "", ""},
      {"CourseOfActionActionReserved", "course-of-action", {Set("/action", R"("x")")}, E,
       "/action", "must not be present"},
      {"GroupingContextRequired", "grouping", {Remove("/context")}, E, "/context", "required"},
      {"GroupingContextOpenVocabWarns", "grouping", {Set("/context", R"("hunting")")}, W,
       "/context", "grouping-context-ov"},
      {"GroupingObjectRefsEmpty", "grouping", {Set("/object_refs", "[]")}, E, "/object_refs",
       "empty list"},
      {"IdentityClassOpenVocabWarns", "identity", {Set("/identity_class", R"("alien")")}, W,
       "/identity_class", "identity-class-ov"},
      {"IdentitySectorsOpenVocabWarns", "identity", {Set("/sectors", R"(["space"])")}, W,
       "/sectors/0", "industry-sector-ov"},
      {"IdentityErrataSectorLegal", "identity", {Set("/sectors", R"(["legal"])")}, OK, "", ""},
      {"IncidentNameRequired", "incident", {Remove("/name")}, E, "/name", "required"},
      {"IndicatorPatternRequired", "indicator", {Remove("/pattern")}, E, "/pattern",
       "required"},
      {"IndicatorPatternTypeRequired", "indicator", {Remove("/pattern_type")}, E,
       "/pattern_type", "required"},
      {"IndicatorValidFromRequired", "indicator", {Remove("/valid_from")}, E, "/valid_from",
       "required"},
      {"IndicatorPatternTypeOpenVocabWarns", "indicator", {Set("/pattern_type", R"("kql")")}, W,
       "/pattern_type", "pattern-type-ov"},
      {"IndicatorTypesOpenVocabWarns", "indicator", {Set("/indicator_types", R"(["evil"])")}, W,
       "/indicator_types/0", "indicator-type-ov"},
      {"IndicatorValidUntilMustBeAfterValidFrom", "indicator",
       {Set("/valid_until", R"("2016-01-01T00:00:00Z")")}, E, "/valid_until",
       "must be later than valid_from"},
      {"InfrastructureLastSeenOrder", "infrastructure",
       {Set("/first_seen", R"("2016-01-02T00:00:00Z")"),
        Set("/last_seen", R"("2016-01-01T00:00:00Z")")},
       E, "/last_seen", "first_seen"},
      {"IntrusionSetMotivationOpenVocabWarns", "intrusion-set",
       {Set("/primary_motivation", R"("boredom")")}, W, "/primary_motivation",
       "attack-motivation-ov"},
      {"LocationLatitudeRange", "location", {Set("/latitude", "90.5")}, E, "/latitude",
       "between -90 and 90"},
      {"LocationLongitudeRange", "location", {Set("/longitude", "-180.5")}, E, "/longitude",
       "between -180 and 180"},
      {"LocationLatitudeRequiresLongitude", "location", {Remove("/longitude")}, E, "/longitude",
       "required when latitude is present"},
      {"LocationLongitudeRequiresLatitude", "location", {Remove("/latitude")}, E, "/latitude",
       "required when longitude is present"},
      {"LocationPrecisionRequiresCoordinates", "location",
       {Remove("/latitude"), Remove("/longitude")}, E, "/precision",
       "requires latitude and longitude"},
      {"LocationNeedsRegionCountryOrCoordinates", "location",
       {Remove("/latitude"), Remove("/longitude"), Remove("/precision"), Remove("/region"),
        Remove("/country")},
       E, "", "must have region, country, or latitude and longitude"},
      {"LocationCountryAloneIsEnough", "location",
       {Remove("/latitude"), Remove("/longitude"), Remove("/precision"), Remove("/region")}, OK,
       "", ""},
      {"LocationLatitudeNotNumber", "location", {Set("/latitude", R"("48")")}, E, "/latitude",
       "must be a number"},
      {"LocationCountryNotAlpha2Warns", "location", {Set("/country", R"("France")")}, W,
       "/country", "ISO 3166-1"},
      {"LocationRegionOpenVocabWarns", "location", {Set("/region", R"("mars")")}, W, "/region",
       "region-ov"},
      {"MalwareIsFamilyNotBoolean", "malware", {Set("/is_family", R"("yes")")}, E, "/is_family",
       "true or false"},
      {"MalwareFamilyNeedsName", "malware", {Remove("/name")}, E, "/name",
       "required when is_family is true"},
      {"MalwareInstanceWithoutName", "malware", {Set("/is_family", "false"), Remove("/name")},
       OK, "", ""},
      {"MalwareOperatingSystemRefsMustBeSoftware", "malware",
       {Set("/operating_system_refs",
            R"(["file--aac2b2e2-5b39-5aa5-9f0e-8c2c8aa9a2e1"])")},
       E, "/operating_system_refs/0", "must reference software"},
      {"MalwareTypesOpenVocabWarns", "malware", {Set("/malware_types", R"(["cute"])")}, W,
       "/malware_types/0", "malware-type-ov"},
      {"MalwareAnalysisProductRequired", "malware-analysis", {Remove("/product")}, E,
       "/product", "required"},
      {"MalwareAnalysisNeedsResultOrScoRefs", "malware-analysis", {Remove("/result")}, E, "",
       "result or analysis_sco_refs"},
      {"MalwareAnalysisEndedBeforeStarted", "malware-analysis",
       {Set("/analysis_ended", R"("2015-12-31T00:00:00Z")")}, E, "/analysis_ended",
       "analysis_started"},
      {"MalwareAnalysisSampleRefTargets", "malware-analysis", {Set("/sample_ref", kIdentity)},
       E, "/sample_ref", "must reference file, artifact or network-traffic"},
      {"NoteContentRequired", "note", {Remove("/content")}, E, "/content", "required"},
      {"NoteObjectRefsMustBeList", "note", {Set("/object_refs", kIdentity)}, E, "/object_refs",
       "must be a list"},
      {"ObservedDataNumberObservedZero", "observed-data", {Set("/number_observed", "0")}, E,
       "/number_observed", "between 1 and 999999999"},
      {"ObservedDataNumberObservedTooLarge", "observed-data",
       {Set("/number_observed", "1000000000")}, E, "/number_observed",
       "between 1 and 999999999"},
      {"ObservedDataLastBeforeFirst", "observed-data",
       {Set("/last_observed", R"("2015-12-21T18:59:59Z")")}, E, "/last_observed",
       "first_observed"},
      {"ObservedDataNeedsObjectRefs", "observed-data", {Remove("/object_refs")}, E, "",
       "must have object_refs"},
      {"ObservedDataObjectsAndObjectRefsExclusive", "observed-data",
       {Set("/objects", R"({"0":{"type":"ipv4-addr","value":"198.51.100.3"}})")}, E,
       "/objects", "must not be present together with object_refs"},
      {"ObservedDataObjectRefsMustBeScos", "observed-data",
       {Set("/object_refs", R"(["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"])")}, E,
       "/object_refs/0", "must reference an SCO"},
      {"ObservedDataDeprecatedContainerWarns", "observed-data",
       {Remove("/object_refs"),
        Set("/objects",
            R"({"0":{"type":"ipv4-addr","value":"198.51.100.3"},"1":{"type":"network-traffic","dst_ref":"0","protocols":["tcp"]}})")},
       W, "/objects", "deprecated"},
      {"ObservedDataContainerChecksObjects", "observed-data",
       {Remove("/object_refs"), Set("/objects", R"({"0":{"type":"network-traffic","dst_ref":"0"}})")},
       E, "/objects/0/protocols", "required"},
      {"ObservedDataContainerEmpty", "observed-data", {Remove("/object_refs"), Set("/objects", "{}")},
       E, "/objects", "at least one object"},
      {"OpinionEnum", "opinion", {Set("/opinion", R"("maybe")")}, E, "/opinion",
       "opinion-enum"},
      {"OpinionRequired", "opinion", {Remove("/opinion")}, E, "/opinion", "required"},
      {"ReportPublishedRequired", "report", {Remove("/published")}, E, "/published",
       "required"},
      {"ReportErrataTypeIncident", "report", {Set("/report_types", R"(["incident"])")}, OK, "",
       ""},
      {"ThreatActorSophisticationOpenVocabWarns", "threat-actor",
       {Set("/sophistication", R"("godlike")")}, W, "/sophistication",
       "threat-actor-sophistication-ov"},
      {"ThreatActorErrataTypePrivateSector", "threat-actor",
       {Set("/threat_actor_types", R"(["private-sector"])")}, OK, "", ""},
      {"ToolNameRequired", "tool", {Remove("/name")}, E, "/name", "required"},
      {"VulnerabilityCveIdFormat", "vulnerability",
       {Set("/external_references/0/external_id", R"("2016-1234")")}, E,
       "/external_references/0/external_id", "CVE-"},
      // --- SROs (section 5). ---
      {"RelationshipTypeRequired", "relationship", {Remove("/relationship_type")}, E,
       "/relationship_type", "required"},
      {"RelationshipTypeCharacters", "relationship",
       {Set("/relationship_type", R"("Indicates")")}, E, "/relationship_type",
       "may contain only a-z"},
      {"RelationshipSourceRequired", "relationship", {Remove("/source_ref")}, E, "/source_ref",
       "required"},
      {"RelationshipSourceNotAMarking", "relationship",
       {Set("/source_ref", R"("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da")")}, E,
       "/source_ref", "must reference an SDO or SCO"},
      {"RelationshipTargetNotAnSro", "relationship",
       {Set("/target_ref", R"("relationship--57b56a43-b8b0-4cba-9deb-34e3e1faed9e")")}, E,
       "/target_ref", "must reference an SDO or SCO"},
      {"RelationshipTargetMayBeCustomType", "relationship",
       {Set("/target_ref", R"("x-acme-widget--57b56a43-b8b0-4cba-9deb-34e3e1faed9e")")}, OK, "",
       ""},
      {"RelationshipStopTimeAfterStartTime", "relationship",
       {Set("/stop_time", R"("2016-01-01T00:00:00Z")")}, E, "/stop_time",
       "must be later than start_time"},
      {"SightingCountTooLarge", "sighting", {Set("/count", "1000000000")}, E, "/count",
       "between 0 and 999999999"},
      {"SightingCountNegative", "sighting", {Set("/count", "-1")}, E, "/count",
       "between 0 and 999999999"},
      {"SightingCountZero", "sighting", {Set("/count", "0")}, OK, "", ""},
      {"SightingOfMustBeSdo", "sighting",
       {Set("/sighting_of_ref", R"("ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd")")}, E,
       "/sighting_of_ref", "must reference an SDO"},
      {"SightingWhereSightedIdentityOrLocation", "sighting",
       {Set("/where_sighted_refs", std::string("[") + kMalwareRef + "]")}, E,
       "/where_sighted_refs/0", "must reference identity or location"},
      {"SightingObservedDataRefs", "sighting",
       {Set("/observed_data_refs", std::string("[") + kMalwareRef + "]")}, E,
       "/observed_data_refs/0", "must reference observed-data"},
      {"SightingLastSeenOrder", "sighting", {Set("/last_seen", R"("2015-12-21T18:00:00Z")")}, E,
       "/last_seen", "first_seen"},
      // --- SCOs (section 6). ---
      {"ScoIdNotV5Warns", "ipv4-addr",
       {Set("/id", R"("ipv4-addr--ff26c055-6336-4bc5-b98d-13d6226742dd")")}, W, "/id",
       "deterministic UUIDv5"},
      {"ScoSpecVersionOptional", "ipv4-addr", {Remove("/spec_version")}, OK, "", ""},
      {"ScoDefangedAllowed", "ipv4-addr", {Set("/defanged", "true")}, OK, "", ""},
      {"ScoCreatedNotApplicableWarns", "ipv4-addr",
       {Set("/created", R"("2016-01-01T00:00:00.000Z")")}, W, "/created", "not applicable"},
      {"ArtifactPayloadAndUrlExclusive", "artifact", {Set("/url", R"("https://a.example/x")")},
       E, "/url", "must not be present together with payload_bin"},
      {"ArtifactNeedsPayloadOrUrl", "artifact", {Remove("/payload_bin")}, E, "",
       "one of payload_bin or url"},
      {"ArtifactUrlNeedsHashes", "artifact",
       {Remove("/payload_bin"), Remove("/hashes"), Set("/url", R"("https://a.example/x")")}, E,
       "/hashes", "required when url is present"},
      {"ArtifactPayloadNotBase64", "artifact", {Set("/payload_bin", R"("abc")")}, E,
       "/payload_bin", "base64"},
      {"ArtifactDecryptionKeyNeedsAlgorithm", "artifact",
       {Set("/decryption_key", R"("secret")")}, E, "/decryption_key",
       "without encryption_algorithm"},
      {"ArtifactEncryptionAlgorithmEnum", "artifact",
       {Set("/encryption_algorithm", R"("rot13")")}, E, "/encryption_algorithm",
       "encryption-algorithm-enum"},
      {"HashesWrongLength", "artifact", {Set("/hashes", R"({"SHA-256":"abc"})")}, E,
       "/hashes/SHA-256", "not a valid SHA-256 hash"},
      {"HashesEmpty", "artifact", {Set("/hashes", "{}")}, E, "/hashes",
       "must not be an empty dictionary"},
      {"HashesUnknownAlgorithmWarns", "artifact", {Set("/hashes", R"({"sha256x":"abc"})")}, W,
       "/hashes/sha256x", "hash-algorithm-ov"},
      {"HashesKeyTooShort", "artifact", {Set("/hashes", R"({"md":"abc"})")}, E, "/hashes/md",
       "at least 3 characters"},
      {"AutonomousSystemNumberRequired", "autonomous-system", {Remove("/number")}, E, "/number",
       "required"},
      {"AutonomousSystemNumberInteger", "autonomous-system", {Set("/number", R"("AS15139")")}, E,
       "/number", "must be an integer"},
      {"DirectoryPathRequired", "directory", {Remove("/path")}, E, "/path", "required"},
      {"DirectoryContainsFilesOrDirectories", "directory",
       {Set("/contains_refs", R"(["url--c1477287-23ac-5971-a010-5c287877fa60"])")}, E,
       "/contains_refs/0", "must reference file or directory"},
      {"DomainNameValueRequired", "domain-name", {Remove("/value")}, E, "/value", "required"},
      {"DomainNameResolvesTo", "domain-name",
       {Set("/resolves_to_refs", R"(["url--c1477287-23ac-5971-a010-5c287877fa60"])")}, E,
       "/resolves_to_refs/0", "ipv4-addr, ipv6-addr or domain-name"},
      {"EmailAddrBelongsToUserAccount", "email-addr", {Set("/belongs_to_ref", kIdentity)}, E,
       "/belongs_to_ref", "must reference user-account"},
      {"EmailMessageIsMultipartRequired", "email-message", {Remove("/is_multipart")}, E,
       "/is_multipart", "required"},
      {"EmailMessageBodyNotWithMultipart", "email-message", {Set("/body", R"("hi")")}, E,
       "/body", "must not be present when is_multipart is true"},
      {"EmailMessageBodyMultipartNotWhenSinglePart", "email-message",
       {Set("/is_multipart", "false")}, E, "/body_multipart",
       "must not be present when is_multipart is false"},
      {"EmailMessageMimePartNeedsBody", "email-message",
       {Set("/body_multipart", R"([{"content_type":"text/plain"}])")}, E, "/body_multipart/0",
       "one of body or body_raw_ref"},
      {"EmailMessageHeaderValuesAreLists", "email-message",
       {Set("/additional_header_fields", R"({"X-Mailer":"mutt"})")}, E,
       "/additional_header_fields/X-Mailer", "non-empty list of strings"},
      {"EmailMessageFromRefIsEmailAddr", "email-message",
       {Set("/from_ref", R"("url--c1477287-23ac-5971-a010-5c287877fa60")")}, E, "/from_ref",
       "must reference email-addr"},
      {"FileNeedsHashesOrName", "file", {Remove("/hashes"), Remove("/name")}, E, "",
       "at least one of hashes or name"},
      {"FileSizeNegative", "file", {Set("/size", "-1")}, E, "/size", "must not be negative"},
      {"FileHexUpperCase", "file", {Set("/magic_number_hex", R"("4D5A")")}, E,
       "/magic_number_hex", "lower-case"},
      {"FileHexOddLength", "file", {Set("/magic_number_hex", R"("4d5")")}, E,
       "/magic_number_hex", "even number"},
      {"FileNtfsExtNeedsAProperty", "file", {Set("/extensions/ntfs-ext", "{}")}, E,
       "/extensions/ntfs-ext", "at least one of its own properties"},
      {"FilePeBinaryNeedsMoreThanPeType", "file",
       {Set("/extensions/windows-pebinary-ext", R"({"pe_type":"exe"})")}, E,
       "/extensions/windows-pebinary-ext", "besides the required"},
      {"FilePeTypeOpenVocabWarns", "file",
       {Set("/extensions/windows-pebinary-ext/pe_type", R"("elf")")}, W,
       "/extensions/windows-pebinary-ext/pe_type", "windows-pebinary-type-ov"},
      {"FilePeSectionNeedsName", "file",
       {Set("/extensions/windows-pebinary-ext/sections", R"([{"size":5}])")}, E,
       "/extensions/windows-pebinary-ext/sections/0/name", "required"},
      {"FileArchiveExtNeedsContainsRefs", "file",
       {Set("/extensions/archive-ext", R"({"comment":"zip"})")}, E,
       "/extensions/archive-ext/contains_refs", "required"},
      {"FileParentDirectoryRefIsDirectory", "file",
       {Set("/parent_directory_ref", R"("file--aac2b2e2-5b39-5aa5-9f0e-8c2c8aa9a2e1")")}, E,
       "/parent_directory_ref", "must reference directory"},
      {"FileCustomExtensionValid", "file", {Set("/extensions/x-acme-ext", R"({"bar_val":1})")},
       OK, "", ""},
      {"FileCustomExtensionMustEndWithExt", "file",
       {Set("/extensions/x-acme", R"({"bar_val":1})")}, E, "/extensions/x-acme",
       "must end with \"-ext\""},
      {"FileCustomExtensionWithoutXPrefixWarns", "file",
       {Set("/extensions/acme-ext", R"({"bar_val":1})")}, W, "/extensions/acme-ext",
       "should start with \"x-\""},
      {"FileNameEncWithoutName", "file", {Remove("/name"), Set("/name_enc", R"("utf-8")")}, E,
       "/name_enc", "without name"},
      {"Ipv4AddrOctetTooLarge", "ipv4-addr", {Set("/value", R"("300.1.1.1")")}, E, "/value",
       "IPv4 address"},
      {"Ipv4AddrCidrTooLong", "ipv4-addr", {Set("/value", R"("10.0.0.0/33")")}, E, "/value",
       "CIDR"},
      {"Ipv4AddrCidrValid", "ipv4-addr", {Set("/value", R"("10.0.0.0/8")")}, OK, "", ""},
      {"Ipv4AddrResolvesToMac", "ipv4-addr",
       {Set("/resolves_to_refs", R"(["domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5"])")},
       E, "/resolves_to_refs/0", "must reference mac-addr"},
      {"MacAddrUpperCase", "mac-addr", {Set("/value", R"("D2:FB:49:24:37:18")")}, E, "/value",
       "lower-case MAC-48"},
      {"MutexNameRequired", "mutex", {Remove("/name")}, E, "/name", "required"},
      {"NetworkTrafficNeedsSrcOrDst", "network-traffic", {Remove("/src_ref"), Remove("/dst_ref")},
       E, "", "at least one of src_ref or dst_ref"},
      {"NetworkTrafficProtocolsRequired", "network-traffic", {Remove("/protocols")}, E,
       "/protocols", "required"},
      {"NetworkTrafficPortRange", "network-traffic", {Set("/src_port", "65536")}, E, "/src_port",
       "between 0 and 65535"},
      {"NetworkTrafficActiveWithEnd", "network-traffic", {Set("/is_active", "true")}, E,
       "/is_active", "must be false when end is present"},
      {"NetworkTrafficEndBeforeStart", "network-traffic",
       {Set("/end", R"("2015-12-31T00:00:00Z")")}, E, "/end", "start"},
      {"NetworkTrafficProtocolUpperCaseWarns", "network-traffic",
       {Set("/protocols", R"(["IPv4","tcp"])")}, W, "/protocols/0", "lower case"},
      {"NetworkTrafficSrcRefTargets", "network-traffic",
       {Set("/src_ref", R"("url--c1477287-23ac-5971-a010-5c287877fa60")")}, E, "/src_ref",
       "must reference ipv4-addr"},
      {"HttpRequestExtNeedsMethod", "network-traffic",
       {Remove("/extensions/http-request-ext/request_method")}, E,
       "/extensions/http-request-ext/request_method", "required"},
      {"SocketExtAddressFamilyEnum", "network-traffic",
       {Set("/extensions/socket-ext", R"({"address_family":"AF_FOO"})")}, E,
       "/extensions/socket-ext/address_family", "network-socket-address-family-enum"},
      {"IcmpExtNeedsCode", "network-traffic",
       {Set("/extensions/icmp-ext", R"({"icmp_type_hex":"08"})")}, E,
       "/extensions/icmp-ext/icmp_code_hex", "required"},
      {"TcpExtNeedsAProperty", "network-traffic", {Set("/extensions/tcp-ext", "{}")}, E,
       "/extensions/tcp-ext", "at least one of its own properties"},
      {"ProcessNeedsAProperty", "process",
       {Remove("/pid"), Remove("/command_line"), Remove("/created_time"), Remove("/image_ref"),
        Remove("/extensions")},
       E, "", "process must have at least one"},
      {"ProcessIntegrityLevelEnum", "process",
       {Set("/extensions/windows-process-ext/integrity_level", R"("ultra")")}, E,
       "/extensions/windows-process-ext/integrity_level", "windows-integrity-level-enum"},
      {"ProcessWindowsServiceExtNeedsAProperty", "process",
       {Set("/extensions/windows-service-ext", "{}")}, E, "/extensions/windows-service-ext",
       "at least one"},
      {"ProcessParentRefIsProcess", "process",
       {Set("/parent_ref", R"("file--aac2b2e2-5b39-5aa5-9f0e-8c2c8aa9a2e1")")}, E,
       "/parent_ref", "must reference process"},
      {"ProcessEnvironmentValuesAreStrings", "process",
       {Set("/environment_variables", R"({"PATH":5})")}, E, "/environment_variables/PATH",
       "must be a string"},
      {"SoftwareNameRequired", "software", {Remove("/name")}, E, "/name", "required"},
      {"UrlValueRequired", "url", {Remove("/value")}, E, "/value", "required"},
      {"UserAccountNeedsAProperty", "user-account",
       {Remove("/user_id"), Remove("/account_login"), Remove("/account_type"),
        Remove("/is_privileged"), Remove("/extensions")},
       E, "", "at least one"},
      {"UserAccountTypeOpenVocabWarns", "user-account", {Set("/account_type", R"("bank")")}, W,
       "/account_type", "account-type-ov"},
      {"UnixAccountExtNeedsAProperty", "user-account", {Set("/extensions/unix-account-ext", "{}")},
       E, "/extensions/unix-account-ext", "at least one"},
      {"RegistryValueNeedsAProperty", "windows-registry-key", {Set("/values", "[{}]")}, E,
       "/values/0", "at least one"},
      {"RegistryValueDataTypeEnum", "windows-registry-key",
       {Set("/values/0/data_type", R"("REG_FOO")")}, E, "/values/0/data_type",
       "windows-registry-datatype-enum"},
      {"RegistryValueEmptyNameAllowed", "windows-registry-key", {Set("/values/0/name", R"("")")},
       OK, "", ""},
      {"X509V3ExtensionsNeedAProperty", "x509-certificate", {Set("/x509_v3_extensions", "{}")},
       E, "/x509_v3_extensions", "at least one"},
      {"X509ExponentInteger", "x509-certificate",
       {Set("/subject_public_key_exponent", R"("65537")")}, E, "/subject_public_key_exponent",
       "must be an integer"},
      // --- Meta objects (section 7). ---
      {"LanguageContentContentsRequired", "language-content", {Remove("/contents")}, E,
       "/contents", "required"},
      {"LanguageContentKeysAreLanguageTags", "language-content",
       {Set("/contents", R"({"not a tag":{"name":"x"}})")}, E, "/contents/not a tag",
       "RFC 5646"},
      {"LanguageContentEmptyTranslation", "language-content", {Set("/contents/de", "{}")}, E,
       "/contents/de", "non-empty dictionary"},
      {"LanguageContentObjectRefRequired", "language-content", {Remove("/object_ref")}, E,
       "/object_ref", "required"},
      {"LanguageContentLangNotApplicableWarns", "language-content", {Set("/lang", R"("en")")},
       W, "/lang", "not applicable"},
      {"MarkingDefinitionNeedsDefinitionType", "marking-definition",
       {Remove("/definition_type")}, E, "/definition_type", "required when extensions is absent"},
      {"MarkingDefinitionStatementRequired", "marking-definition", {Set("/definition", "{}")}, E,
       "/definition/statement", "required"},
      {"MarkingDefinitionModifiedNotApplicableWarns", "marking-definition",
       {Set("/modified", R"("2016-08-01T00:00:00.000Z")")}, W, "/modified", "not applicable"},
      {"MarkingDefinitionTlpMustBePredefined", "marking-definition",
       {Set("/definition_type", R"("tlp")"), Set("/definition", R"({"tlp":"green"})")}, E, "/id",
       "predefined TLP 1.0"},
      {"MarkingDefinitionTlp1GreenIsValid", "marking-definition",
       {Set("/id", R"("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da")"),
        Set("/created", R"("2017-01-20T00:00:00.000Z")"), Set("/definition_type", R"("tlp")"),
        Set("/name", R"("TLP:GREEN")"), Set("/definition", R"({"tlp":"green"})")},
       OK, "", ""},
      {"MarkingDefinitionTlp2WrongIdForLevel", "marking-definition",
       {Remove("/definition_type"), Remove("/definition"),
        Set("/extensions",
            R"({"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"red"}})")},
       E, "/extensions/extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d/tlp_2_0",
       "five published instances"},
      {"ExtensionDefinitionCreatedByRefRequired", "extension-definition",
       {Remove("/created_by_ref")}, E, "/created_by_ref", "required"},
      {"ExtensionDefinitionTypesEnum", "extension-definition",
       {Set("/extension_types", R"(["new-thing"])")}, E, "/extension_types/0",
       "extension-type-enum"},
      {"ExtensionDefinitionPropertiesOnlyForToplevel", "extension-definition",
       {Set("/extension_properties", R"(["rank"])")}, E, "/extension_properties",
       "toplevel-property-extension"},
      {"ExtensionDefinitionToplevelShouldListProperties", "extension-definition",
       {Set("/extension_types", R"(["toplevel-property-extension"])")}, W,
       "/extension_properties", "should list"},
      {"ExtensionDefinitionSchemaRequired", "extension-definition", {Remove("/schema")}, E,
       "/schema", "required"},
      {"ExtensionDefinitionExtensionsNotApplicable", "extension-definition",
       {Set("/extensions", std::string(R"({")") + kExtDef +
                               R"(":{"extension_type":"property-extension","rank":1}})")},
       W, "/extensions", "not applicable"},
  };
}

INSTANTIATE_TEST_SUITE_P(Rules, MutationTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return std::string(param_info.param.name);
                         });

// --- Whole-object rules that are not mutations of a base object. ---

TEST(ValidatorTest, MalformedJsonIsAnErrorAtTheRoot) {
  Report r = ValidateObject(R"({"type": "indicator",)");
  EXPECT_THAT(r.errors, Contains(AllOf(Field(&Issue::path, ""),
                                       Field(&Issue::message, HasSubstr("not valid JSON")))));
}

TEST(ValidatorTest, NonObjectIsAnError) {
  Report r = ValidateObject("[1,2]");
  EXPECT_THAT(r.errors, Contains(Field(&Issue::message, HasSubstr("must be a JSON object"))));
}

TEST(ValidatorTest, DuplicateKeysAreAnError) {
  std::string json = BaseObjects().at("tool");
  json.insert(json.size() - 1, R"(,"name":"Again")");
  Report r = ValidateObject(json);
  EXPECT_THAT(r.errors, Contains(AllOf(Field(&Issue::path, "/name"),
                                       Field(&Issue::message, HasSubstr("duplicate key")))));
}

TEST(ValidatorTest, TooDeepNestingIsAnError) {
  std::string json = R"({"type":"x-acme","id":"x-acme--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","x_deep":)";
  json += std::string(100, '[') + std::string(100, ']') + "}";
  Report r = ValidateObject(json);
  EXPECT_THAT(r.errors, Contains(Field(&Issue::message, HasSubstr("deeper than the limit"))));
}

TEST(ValidatorTest, OversizedObjectIsAnError) {
  ValidatorOptions options;
  options.max_object_bytes = 100;
  Report r = ValidateObject(BaseObjects().at("indicator"), options);
  EXPECT_THAT(r.errors, Contains(Field(&Issue::message, HasSubstr("larger than the limit"))));
}

TEST(ValidatorTest, InvalidUtf8IsAnError) {
  Report r = ValidateObject("{\"type\":\"tool\",\"name\":\"\xff\"}");
  EXPECT_THAT(r.errors, Contains(Field(&Issue::message, HasSubstr("not valid JSON"))));
}

TEST(ValidatorTest, BundleIsNotAnObject) {
  Report r = ValidateObject(
      R"({"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[]})");
  EXPECT_THAT(r.errors, Contains(AllOf(Field(&Issue::path, "/type"),
                                       Field(&Issue::message, HasSubstr("not a STIX object")))));
}

TEST(ValidatorTest, CustomObjectWithXPrefixIsValid) {
  Report r = ValidateObject(
      R"({"type":"x-acme-widget","spec_version":"2.1","id":"x-acme-widget--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z","size":3})");
  EXPECT_TRUE(r.valid()) << DumpIssues(r);
  EXPECT_THAT(r.warnings, IsEmpty()) << DumpIssues(r);
}

TEST(ValidatorTest, CustomObjectWithoutXPrefixWarns) {
  Report r = ValidateObject(
      R"({"type":"acme-widget","id":"acme-widget--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","size":3})");
  EXPECT_TRUE(r.valid()) << DumpIssues(r);
  EXPECT_THAT(r.warnings, Contains(AllOf(Field(&Issue::path, "/type"),
                                         Field(&Issue::message, HasSubstr("\"x-\"")))));
}

TEST(ValidatorTest, CustomObjectDeclaredByExtensionDoesNotWarn) {
  Report r = ValidateObject(
      R"({"type":"my-favorite-sdo","spec_version":"2.1","id":"my-favorite-sdo--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z","name":"x","extensions":{"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e":{"extension_type":"new-sdo"}}})");
  EXPECT_TRUE(r.valid()) << DumpIssues(r);
  EXPECT_THAT(r.warnings, IsEmpty()) << DumpIssues(r);
}

TEST(ValidatorTest, CustomObjectTypeNameRules) {
  for (const char* type : {"x--acme", "X-Acme", "ab", "1acme", "x_acme"}) {
    std::string json = std::string(R"({"type":")") + type + R"(","id":")" + type +
                       R"(--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"})";
    Report r = ValidateObject(json);
    EXPECT_THAT(r.errors, Contains(Field(&Issue::path, "/type"))) << type;
  }
}

TEST(ValidatorTest, CheckScoIdsWarnsOnNonDeterministicV5Id) {
  ValidatorOptions options;
  options.check_sco_ids = true;
  Report r = ValidateObject(BaseObjects().at("url"), options);
  EXPECT_THAT(r.warnings, Contains(AllOf(Field(&Issue::path, "/id"),
                                         Field(&Issue::message,
                                               HasSubstr("not the deterministic id")))));
  Report good = ValidateObject(
      R"({"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","value":"198.51.100.3"})",
      options);
  EXPECT_TRUE(good.valid());
  EXPECT_THAT(good.warnings, IsEmpty()) << DumpIssues(good);
}

TEST(ValidatorTest, PathsEscapeSlashAndTilde) {
  std::string json = BaseObjects().at("process");
  json.insert(json.size() - 1, R"(,"environment_variables":{"a/b~c":5})");
  Report r = ValidateObject(json);
  EXPECT_THAT(r.errors, Contains(Field(&Issue::path, "/environment_variables/a~1b~0c")));
}

TEST(ValidatorTest, ReportIsReusedAcrossObjects) {
  Validator validator;
  Report report;
  validator.Validate("[]", &report);
  EXPECT_FALSE(report.valid());
  validator.Validate(BaseObjects().at("tool"), &report);
  EXPECT_TRUE(report.valid());
  EXPECT_EQ(report.id, "tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
}

}  // namespace
}  // namespace detente::stix
