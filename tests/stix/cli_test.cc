// stix/cli_test.cc: `detente stix validate` and `detente stix id`, run as the built binary
// (DETENTE_BINARY): exit codes, output shape, stdin, NDJSON error lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "stix/base_objects.h"

namespace detente::stix {
namespace {

using testing::BaseObjects;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct CliRun {
  int exit_code;
  std::vector<std::string> lines;
  std::string err;
};

class StixCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stix_cli_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  CliRun Exec(const std::string& args, const std::string& stdin_file = "") {
    std::string out = dir_ + "/out.txt", err = dir_ + "/err.txt";
    std::string cmd = std::string(DETENTE_BINARY) + " " + args + " >" + out + " 2>" + err;
    if (!stdin_file.empty()) cmd += " <" + stdin_file;
    int status = std::system(cmd.c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream o(out);
    std::string line;
    while (std::getline(o, line)) run.lines.push_back(line);
    std::stringstream e;
    e << std::ifstream(err).rdbuf();
    run.err = e.str();
    return run;
  }

  std::string dir_;
};

const std::string kBundle =
    R"({"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[)" +
    BaseObjects().at("tool") + "," + BaseObjects().at("url") + "]}";

TEST_F(StixCliTest, ValidBundleExitsZeroWithOneLinePerObject) {
  CliRun run = Exec("stix validate " + Write("b.json", kBundle));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.lines.size(), 2u);
  EXPECT_THAT(
      run.lines[0],
      StartsWith(R"({"id":"tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","valid":true,"errors":[])"));
  EXPECT_THAT(run.lines[1], StartsWith(R"({"id":"url--)"));
}

TEST_F(StixCliTest, InvalidObjectExitsOneWithPathAndMessage) {
  std::string bad = BaseObjects().at("tool");
  bad.replace(bad.find("\"modified\":\"2016-04-06T20:03:48.000Z\""),
              std::string("\"modified\":\"2016-04-06T20:03:48.000Z\"").size(),
              "\"modified\":\"2015-01-01T00:00:00.000Z\"");
  CliRun run = Exec("stix validate " + Write("o.json", bad));
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.lines.size(), 1u);
  EXPECT_THAT(
      run.lines[0],
      HasSubstr(
          R"("valid":false,"errors":[{"path":"/modified","message":"must be later than or equal to created"}])"));
}

TEST_F(StixCliTest, ReadsStandardInput) {
  CliRun run = Exec("stix validate -", Write("in.json", BaseObjects().at("url")));
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_EQ(run.lines.size(), 1u);
  CliRun implicit = Exec("stix validate", Write("in2.json", BaseObjects().at("url")));
  EXPECT_EQ(implicit.exit_code, 0);
  EXPECT_EQ(implicit.lines, run.lines);
}

TEST_F(StixCliTest, NdjsonWithUnparseableLine) {
  std::string data = BaseObjects().at("tool") + "\nnot json\n" + BaseObjects().at("url") + "\n";
  CliRun run = Exec("stix validate " + Write("n.ndjson", data));
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.lines.size(), 3u);
  EXPECT_THAT(run.lines[1], HasSubstr(R"("id":null,"valid":false)"));
  EXPECT_THAT(run.lines[1], HasSubstr("line 2"));
  EXPECT_THAT(run.lines[2], HasSubstr(R"("valid":true)"));
}

TEST_F(StixCliTest, SeveralFilesInOrder) {
  CliRun run = Exec("stix validate " + Write("a.json", BaseObjects().at("tool")) + " " +
                    Write("b.json", BaseObjects().at("url")));
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_EQ(run.lines.size(), 2u);
  EXPECT_THAT(run.lines[1], HasSubstr("url--"));
}

TEST_F(StixCliTest, BundleWithoutObjectsIsValidAndPrintsNothing) {
  CliRun run =
      Exec("stix validate " +
           Write("empty.json",
                 R"({"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"})"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.lines.empty());
}

TEST_F(StixCliTest, DirectoryAsFileExitsTwo) {
  CliRun run = Exec("stix validate " + dir_);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("is a directory"));
}

TEST_F(StixCliTest, MalformedStixPatternMakesTheIndicatorInvalid) {
  std::string indicator = BaseObjects().at("indicator");
  size_t at = indicator.find("[ file:hashes");
  ASSERT_NE(at, std::string::npos);
  indicator.insert(at + 1, "[");  // "[[ file:hashes..." : unbalanced brackets
  CliRun run = Exec("stix validate " + Write("i.json", indicator));
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.lines.size(), 1u);
  EXPECT_THAT(run.lines[0], HasSubstr(R"({"path":"/pattern","message":"invalid STIX pattern: )"));
  CliRun good = Exec("stix validate " + Write("g.json", BaseObjects().at("indicator")));
  EXPECT_EQ(good.exit_code, 0) << good.lines[0];
}

TEST_F(StixCliTest, MissingFileExitsTwo) {
  CliRun run = Exec("stix validate " + dir_ + "/missing.json");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("no such file"));
}

TEST_F(StixCliTest, BadFlagExitsTwo) {
  EXPECT_EQ(Exec("stix validate --no-such-flag").exit_code, 2);
}

TEST_F(StixCliTest, HelpExitsZero) {
  CliRun run = Exec("stix validate --help");
  EXPECT_EQ(run.exit_code, 0);
}

TEST_F(StixCliTest, IdPrintsDeterministicIdsOfScosOnly) {
  std::string data = BaseObjects().at("tool") + "\n" +
                     R"({"type":"ipv4-addr","value":"198.51.100.3"})" + "\n" +
                     R"({"type":"url","value":"https://example.com/research/index.html"})" + "\n";
  CliRun run = Exec("stix id " + Write("s.ndjson", data));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.lines.size(), 2u);
  EXPECT_EQ(run.lines[0], R"({"id":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"})");
  EXPECT_THAT(run.lines[1], StartsWith(R"({"id":"url--)"));
}

TEST_F(StixCliTest, IdWithoutContributingPropertiesIsNull) {
  CliRun run = Exec("stix id " + Write("p.json", R"({"type":"process","pid":4})"));
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.lines.size(), 1u);
  EXPECT_THAT(run.lines[0], StartsWith(R"({"id":null,"error":)"));
}

}  // namespace
}  // namespace detente::stix
