// pattern_cli_test.cc: `detente pattern validate` and `detente pattern match` end to end
// (exit codes, stderr, NDJSON in and out), run as a subprocess on temp files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct RunResult {
  int exit_code = -1;
  std::string out;
};

class PatternCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("pattern_cli_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << content;
    return path;
  }

  // Runs `detente <args>` with stdout (and stderr, when merge) captured.
  RunResult Run(const std::string& args, bool merge_stderr = false) {
    std::string cmd = std::string(DETENTE_BINARY) + " " + args;
    if (merge_stderr) cmd += " 2>&1";
    RunResult r;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
    int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

  std::filesystem::path dir_;
};

TEST_F(PatternCliTest, ValidPatternExitsZero) {
  RunResult r = Run("pattern validate \"[file:name = 'a.exe']\"");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
}

TEST_F(PatternCliTest, InvalidPatternExitsOneWithLineAndColumn) {
  RunResult r = Run("pattern validate \"[file:name = ]\"", true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "detente pattern validate: 1:14: expected a literal, found ']'\n");
}

TEST_F(PatternCliTest, Stix20FlagSelectsTheGrammar) {
  const char* p = "\"[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-01-02T00:00:00Z'\"";
  EXPECT_EQ(Run(std::string("pattern validate --stix-version 2.0 ") + p).exit_code, 0);
  EXPECT_EQ(Run(std::string("pattern validate --stix-version 2.1 ") + p, true).exit_code, 1);
}

TEST_F(PatternCliTest, CanonicalFlagPrintsTheCanonicalForm) {
  RunResult r = Run("pattern validate --canonical \"[ file:size>=+5]\"");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "[file:size >= 5]\n");
}

TEST_F(PatternCliTest, NdjsonValidateAnswersEveryLineInOrder) {
  std::string in = Write("in.ndjson",
                         "{\"pattern\": \"[a:b = 1]\"}\n"
                         "{\"pattern\": \"[file:hashes.MD5 = 'x']\"}\n"
                         "not json\n"
                         "\n"
                         "{\"pattern\": \"[a:b = 1] START '2016-01-01T00:00:00Z' STOP "
                         "'2016-01-02T00:00:00Z'\", \"stix_version\": \"2.0\"}\n");
  RunResult r = Run("pattern validate --ndjson " + in);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "{\"valid\":true}\n"
            "{\"valid\":false,\"error\":\"1:2: file:hashes.MD5 must be 32 hex digits, got 'x'\"}\n"
            "{\"valid\":false,\"error\":\"line 3: invalid JSON: syntax error\"}\n"
            "{\"valid\":true}\n");
}

TEST_F(PatternCliTest, NdjsonValidateExitsZeroWhenAllValid) {
  std::string in = Write("ok.ndjson", "{\"pattern\": \"[a:b = 1]\"}\n");
  EXPECT_EQ(Run("pattern validate --ndjson " + in).exit_code, 0);
}

TEST_F(PatternCliTest, NdjsonMatchAnswersMatchedOrError) {
  std::string bundle =
      "[{\"type\":\"bundle\",\"objects\":[{\"type\":\"observed-data\",\"id\":\"observed-data--1\","
      "\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\","
      "\"number_observed\":1,\"object_refs\":[\"file--1\"]},"
      "{\"type\":\"file\",\"id\":\"file--1\",\"name\":\"a.exe\"}]}]";
  std::string in = Write(
      "m.ndjson", "{\"pattern\": \"[file:name = 'a.exe']\", \"observations\": " + bundle + "}\n" +
                      "{\"pattern\": \"[file:name = 'b']\", \"observations\": " + bundle + "}\n" +
                      "{\"pattern\": \"[file:name = ]\", \"observations\": []}\n");
  RunResult r = Run("pattern match --ndjson " + in);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "{\"matched\":true}\n"
            "{\"matched\":false}\n"
            "{\"error\":\"pattern: 1:14: expected a literal, found ']'\"}\n");
}

TEST_F(PatternCliTest, CidrEqualityFlagComparesAddressesByContainment) {
  std::string bundle =
      "[{\"type\":\"bundle\",\"objects\":[{\"type\":\"observed-data\",\"id\":\"observed-data--1\","
      "\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\","
      "\"number_observed\":1,\"object_refs\":[\"ipv4-addr--1\"]},"
      "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--1\",\"value\":\"58.247.1.2\"}]}]";
  std::string in = Write("c.ndjson", "{\"pattern\": \"[ipv4-addr:value = '58.246.0.0/15']\", "
                                     "\"observations\": " + bundle + "}\n");
  EXPECT_EQ(Run("pattern match --ndjson " + in).out, "{\"matched\":false}\n");
  RunResult r = Run("pattern match --cidr-equality --ndjson " + in);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "{\"matched\":true}\n");
}

TEST_F(PatternCliTest, MissingNdjsonFileIsAUsageError) {
  EXPECT_EQ(Run("pattern match --ndjson " + (dir_ / "absent").string(), true).exit_code, 2);
}

}  // namespace
