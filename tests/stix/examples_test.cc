// stix/examples_test.cc: file-driven: every official example bundle and every example object
// of the specification text validates without errors; the four non-conforming examples of the
// specification are rejected for their known reasons.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "stix/stix.h"

namespace detente::stix {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;

const std::string kDir = std::string(DETENTE_TESTDATA) + "/stix";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Line {
  std::string id;
  bool valid;
  std::string text;
};

std::vector<Line> ValidateAll(const std::string& data) {
  StringByteSource source(data);
  std::vector<Line> lines;
  auto summary = ValidateStream(&source, ValidatorOptions{}, [&](std::string_view line) {
    lines.push_back(
        Line{"", line.find("\"valid\":true") != std::string_view::npos, std::string(line)});
  });
  EXPECT_TRUE(summary.ok());
  return lines;
}

class ExampleFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleFileTest, EveryObjectIsValid) {
  std::string data = ReadFile(GetParam());
  ASSERT_FALSE(data.empty()) << GetParam();
  auto lines = ValidateAll(data);
  EXPECT_FALSE(lines.empty());
  for (const Line& line : lines) EXPECT_TRUE(line.valid) << GetParam() << "\n" << line.text;
}

std::vector<std::string> ExampleFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kDir + "/examples")) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  files.push_back(kDir + "/spec_examples_valid.ndjson");
  return files;
}

INSTANTIATE_TEST_SUITE_P(Files, ExampleFileTest, ::testing::ValuesIn(ExampleFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name =
                               std::filesystem::path(param_info.param).stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(ExampleFilesTest, CountsOfObjects) {
  EXPECT_EQ(ValidateAll(ReadFile(kDir + "/examples/poisonivy.json")).size(), 155u);
  EXPECT_EQ(ValidateAll(ReadFile(kDir + "/examples/apt1.json")).size(), 76u);
  EXPECT_EQ(ValidateAll(ReadFile(kDir + "/spec_examples_valid.ndjson")).size(), 98u);
}

Report ValidateLine(const std::string& file, const std::string& needle) {
  std::istringstream in(ReadFile(file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) return ValidateObject(line);
  }
  ADD_FAILURE() << needle << " not found";
  return Report{};
}

TEST(SpecErrataExamplesTest, FileIdWithoutDoubleHyphenIsRejected) {
  Report r = ValidateLine(kDir + "/spec_examples_invalid.ndjson", "file-1389b98d");
  EXPECT_THAT(r.errors, Contains(Field(&Issue::path, "/id")));
}

TEST(SpecErrataExamplesTest, IndicatorWithoutPatternTypeIsRejected) {
  Report r = ValidateLine(kDir + "/spec_examples_invalid.ndjson", "indicator--26ffb872");
  EXPECT_THAT(r.errors, Contains(Field(&Issue::path, "/pattern_type")));
}

TEST(SpecErrataExamplesTest, ElidedPayloadBinIsRejected) {
  for (const char* id : {"artifact--a785c567", "artifact--6be1fbcb"}) {
    Report r = ValidateLine(kDir + "/spec_examples_invalid.ndjson", id);
    EXPECT_THAT(r.errors, Contains(Field(&Issue::message, HasSubstr("base64")))) << id;
  }
}

}  // namespace
}  // namespace detente::stix
