// pattern_cases_test.cc: runs every case of the OASIS validator and matcher suites
// (tests/testdata/pattern/*_cases.json, see README there) through Parse/Validate/Match and
// lists each case that disagrees.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "pattern/pattern.h"

namespace detente::pattern {
namespace {

namespace json = boost::json;

json::value LoadCases(const std::string& name) {
  std::ifstream in(std::string(DETENTE_TESTDATA) + "/pattern/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

StixVersion VersionOf(const json::object& c) {
  return std::string_view(c.at("stix_version").as_string()) == "2.0" ? StixVersion::k20
                                                                     : StixVersion::k21;
}

TEST(PatternCasesTest, EveryValidatorCaseAgrees) {
  json::value cases = LoadCases("validator_cases.json");
  int total = 0, failed = 0;
  for (const json::value& v : cases.as_array()) {
    const json::object& c = v.as_object();
    std::string pattern(c.at("pattern").as_string());
    bool valid = c.at("valid").as_bool();
    auto result = ParseAndValidate(pattern, {.version = VersionOf(c)});
    ++total;
    if (result.ok() != valid) {
      ++failed;
      ADD_FAILURE() << "[" << c.at("stix_version").as_string() << "] " << pattern << "\n  expected "
                    << (valid ? "valid" : "invalid") << ", got "
                    << (result.ok() ? "valid" : result.status().ToString()) << "\n  source "
                    << c.at("source").as_string();
    }
  }
  EXPECT_EQ(failed, 0) << failed << " of " << total << " validator cases disagree";
  EXPECT_GT(total, 100);
}

TEST(PatternCasesTest, EveryMatcherCaseAgrees) {
  json::value cases = LoadCases("matcher_cases.json");
  int total = 0, failed = 0;
  for (const json::value& v : cases.as_array()) {
    const json::object& c = v.as_object();
    std::string pattern(c.at("pattern").as_string());
    StixVersion version = VersionOf(c);
    std::string expected;
    if (c.at("expected").is_bool()) {
      expected = c.at("expected").as_bool() ? "true" : "false";
    } else {
      expected = std::string(c.at("error_type").as_string());  // ParseException, MatcherException
    }
    std::string got;
    auto parsed = Parse(pattern, {.version = version});
    if (!parsed.ok()) {
      got = "ParseException (" + parsed.status().message() + ")";
    } else {
      auto obs = Observations::FromJson(c.at("observations"), version);
      if (!obs.ok()) {
        got = "MatcherException (" + obs.status().message() + ")";
      } else {
        auto matched = Match(*parsed, *obs);
        if (!matched.ok()) {
          got = "MatcherException (" + matched.status().message() + ")";
        } else {
          got = *matched ? "true" : "false";
        }
      }
    }
    ++total;
    if (got.rfind(expected, 0) != 0) {
      ++failed;
      ADD_FAILURE() << "[" << c.at("stix_version").as_string() << "] " << pattern << "\n  expected "
                    << expected << ", got " << got << "\n  test " << c.at("test").as_string();
    }
  }
  EXPECT_EQ(failed, 0) << failed << " of " << total << " matcher cases disagree";
  EXPECT_GT(total, 400);
}

}  // namespace
}  // namespace detente::pattern
