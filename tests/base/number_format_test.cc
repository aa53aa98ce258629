// Tests for FormatEcmaScriptNumber against node's String(x) for 100,000 doubles
// (tests/testdata/base/ecmascript_numbers.tsv; see the README there), plus layout edge cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>

#include "base/json.h"

namespace detente::base {
namespace {

TEST(FormatEcmaScriptNumberTest, LaysOutAroundTheThresholds) {
  const std::pair<double, std::string> cases[] = {
      {0.0, "0"},
      {-0.0, "0"},
      {1.0, "1"},
      {-1.0, "-1"},
      {0.1, "0.1"},
      {100.0, "100"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {123456789012345678901.0, "123456789012345680000"},
      {1.5e21, "1.5e+21"},
      {1e-6, "0.000001"},
      {1.5e-6, "0.0000015"},
      {1e-7, "1e-7"},
      {1.25e-7, "1.25e-7"},
      {5e-324, "5e-324"},
      {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
      {std::numeric_limits<double>::min(), "2.2250738585072014e-308"},
      {9007199254740992.0, "9007199254740992"},
      {0.30000000000000004, "0.30000000000000004"},
      {333333333.33333329, "333333333.3333333"},
      {4.35, "4.35"},
  };
  for (const auto& [x, s] : cases) EXPECT_EQ(FormatEcmaScriptNumber(x), s) << s;
}

// Every line is "<hex bits>\t<String(x)>".
TEST(FormatEcmaScriptNumberTest, MatchesNodeForEveryNumberInTheFile) {
  std::ifstream in(std::string(DETENTE_TESTDATA) + "/base/ecmascript_numbers.tsv");
  ASSERT_TRUE(in) << "missing ecmascript_numbers.tsv";
  std::string line;
  int count = 0, failures = 0;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    ASSERT_EQ(tab, 16u) << line;
    uint64_t bits = 0;
    ASSERT_EQ(std::from_chars(line.data(), line.data() + tab, bits, 16).ec, std::errc()) << line;
    const double x = std::bit_cast<double>(bits);
    const std::string expected = line.substr(tab + 1);
    const std::string got = FormatEcmaScriptNumber(x);
    if (got != expected && ++failures <= 20) {
      ADD_FAILURE() << "bits " << line.substr(0, tab) << ": got " << got << ", node says "
                    << expected;
    }
    ++count;
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(count, 100000);
}

// The output parses back to the same double (except -0, which JCS writes as "0").
TEST(FormatEcmaScriptNumberTest, EveryOutputRoundTrips) {
  std::ifstream in(std::string(DETENTE_TESTDATA) + "/base/ecmascript_numbers.tsv");
  ASSERT_TRUE(in);
  std::string line;
  int failures = 0;
  while (std::getline(in, line)) {
    uint64_t bits = 0;
    std::from_chars(line.data(), line.data() + 16, bits, 16);
    const double x = std::bit_cast<double>(bits);
    const std::string s = FormatEcmaScriptNumber(x);
    double back = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), back);
    const bool ok =
        r.ec == std::errc() && r.ptr == s.data() + s.size() && (back == x) && (x != 0 || s == "0");
    if (!ok && ++failures <= 20) ADD_FAILURE() << line << " -> " << s;
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace detente::base
