// stix/ids_test.cc: deterministic SCO ids. Known answers are the specification's own SCO
// examples whose ids are deterministic (tests/testdata/stix/sco_known_answers.ndjson).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "stix/stix.h"
#include "testing/status_matchers.h"

namespace detente::stix {
namespace {

using detente::testing::IsOkAndHolds;
using detente::testing::StatusIs;
using ::testing::HasSubstr;

TEST(DeterministicScoIdTest, SpecificationExamplesKnownAnswers) {
  std::ifstream in(std::string(DETENTE_TESTDATA) + "/stix/sco_known_answers.ndjson");
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    size_t at = line.find("\"id\": \"");
    ASSERT_NE(at, std::string::npos) << line;
    std::string expected = line.substr(at + 7, line.find('"', at + 7) - at - 7);
    EXPECT_THAT(DeterministicScoId(line), IsOkAndHolds(expected)) << line;
    ++count;
  }
  EXPECT_EQ(count, 39);
}

TEST(DeterministicScoIdTest, Ipv4AddrFromSection29) {
  EXPECT_THAT(DeterministicScoId(R"({"type":"ipv4-addr","value":"198.51.100.3"})"),
              IsOkAndHolds("ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"));
}

TEST(DeterministicScoIdTest, NonContributingPropertiesDoNotMatter) {
  auto a = DeterministicScoId(R"({"type":"ipv4-addr","value":"198.51.100.3"})");
  auto b = DeterministicScoId(
      R"({"type":"ipv4-addr","id":"ipv4-addr--00000000-0000-4000-8000-000000000000","spec_version":"2.1","value":"198.51.100.3","belongs_to_refs":["autonomous-system--f720c34b-98ae-597f-ade5-27dc241e8c74"]})");
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(b, IsOkAndHolds(*a));
}

TEST(ScoIdContributingJsonTest, IsCanonicalJson) {
  EXPECT_THAT(
      ScoIdContributingJson(
          R"({"name":"a.exe","type":"file","size":5,"parent_directory_ref":"directory--93c0a9b0-520d-545d-9094-1a08ddf46b05"})"),
      IsOkAndHolds(
          R"({"name":"a.exe","parent_directory_ref":"directory--93c0a9b0-520d-545d-9094-1a08ddf46b05"})"));
}

TEST(ScoIdContributingJsonTest, HashesPreferMd5ThenSha1ThenSha256ThenSha512) {
  EXPECT_THAT(
      ScoIdContributingJson(R"({"type":"file","hashes":{"SHA-256":"aa","SHA-1":"bb","MD5":"cc"}})"),
      IsOkAndHolds(R"({"hashes":{"MD5":"cc"}})"));
  EXPECT_THAT(ScoIdContributingJson(R"({"type":"file","hashes":{"SHA-512":"aa","SHA-1":"bb"}})"),
              IsOkAndHolds(R"({"hashes":{"SHA-1":"bb"}})"));
  EXPECT_THAT(ScoIdContributingJson(R"({"type":"file","hashes":{"SHA-512":"aa","SHA-256":"bb"}})"),
              IsOkAndHolds(R"({"hashes":{"SHA-256":"bb"}})"));
  EXPECT_THAT(ScoIdContributingJson(R"({"type":"file","hashes":{"TLSH":"aa","SHA-512":"bb"}})"),
              IsOkAndHolds(R"({"hashes":{"SHA-512":"bb"}})"));
}

TEST(ScoIdContributingJsonTest, HashesOutsideThePreferenceListTakeTheFirst) {
  EXPECT_THAT(ScoIdContributingJson(R"({"type":"file","hashes":{"TLSH":"aa","SSDEEP":"bb"}})"),
              IsOkAndHolds(R"({"hashes":{"TLSH":"aa"}})"));
}

TEST(ScoIdContributingJsonTest, AllRegistryValuesAreIncluded) {
  EXPECT_THAT(
      ScoIdContributingJson(
          R"({"type":"windows-registry-key","key":"k","values":[{"name":"b","data":"2"},{"name":"a"}]})"),
      IsOkAndHolds(R"({"key":"k","values":[{"data":"2","name":"b"},{"name":"a"}]})"));
}

TEST(DeterministicScoIdTest, ProcessHasNoContributingProperties) {
  EXPECT_THAT(DeterministicScoId(R"({"type":"process","pid":5})"),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("UUIDv4")));
}

TEST(DeterministicScoIdTest, AllContributingPropertiesAbsent) {
  EXPECT_THAT(DeterministicScoId(R"({"type":"software","languages":["en"]})"),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("no ID Contributing")));
}

TEST(DeterministicScoIdTest, NotAnSco) {
  EXPECT_THAT(DeterministicScoId(R"({"type":"indicator"})"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not an SCO type")));
  EXPECT_THAT(DeterministicScoId("[1]"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(DeterministicScoId("{"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not valid JSON")));
}

TEST(IsScoTypeTest, EighteenScoTypes) {
  int n = 0;
  for (const char* t :
       {"artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
        "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process",
        "software", "url", "user-account", "windows-registry-key", "x509-certificate"}) {
    EXPECT_TRUE(IsScoType(t)) << t;
    ++n;
  }
  EXPECT_EQ(n, 18);
  EXPECT_FALSE(IsScoType("indicator"));
  EXPECT_FALSE(IsScoType("x-acme"));
}

}  // namespace
}  // namespace detente::stix
