// Tests for `detente match` driving the built binary (DETENTE_BINARY) through the shell.
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

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int CountLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

class MatchCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/detente-match-cli-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    data_ = std::string(DETENTE_TESTDATA) + "/match/";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `detente <args>` via the shell; stdout and stderr land in out_ and err_.
  int Run(const std::string& args, const std::string& stdin_file = "/dev/null") {
    std::string cmd = std::string(DETENTE_BINARY) + " " + args + " <" + stdin_file + " >" + dir_ +
                      "/stdout 2>" + dir_ + "/stderr";
    int rc = std::system(cmd.c_str());
    out_ = Slurp(dir_ + "/stdout");
    err_ = Slurp(dir_ + "/stderr");
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  std::string dir_, data_, out_, err_;
};

TEST_F(MatchCliTest, HelpDescribesTheFlags) {
  EXPECT_EQ(Run("match --help"), 0);
  EXPECT_THAT(out_, HasSubstr("--indicators"));
  EXPECT_THAT(out_, HasSubstr("--follow"));
  EXPECT_THAT(out_, HasSubstr("--stats"));
}

TEST_F(MatchCliTest, ZeekFileGivesOneSightingPerMatch) {
  EXPECT_EQ(Run("match --indicators " + data_ + "indicators_bundle.json --events " + data_ +
                "zeek_nopath.log"),
            0)
      << err_;
  EXPECT_EQ(CountLines(out_), 8) << out_;
  EXPECT_THAT(out_, HasSubstr("\"type\":\"sighting\""));
  EXPECT_THAT(out_, HasSubstr("\"sighting_of_ref\":\"indicator--00000000-0000-4000-8000-000000000004\""));
}

TEST_F(MatchCliTest, EventsFromStdinAndSightingsToOutFile) {
  EXPECT_EQ(Run("match --indicators " + data_ + "indicators_bundle.json --events - --out " +
                    dir_ + "/s.ndjson --format suricata",
                data_ + "suricata_eve.json"),
            0)
      << err_;
  EXPECT_EQ(out_, "");
  EXPECT_EQ(CountLines(Slurp(dir_ + "/s.ndjson")), 4);
}

TEST_F(MatchCliTest, StatsAndSkippedIndicatorsGoToStderr) {
  EXPECT_EQ(Run("match --stats --indicators " + data_ + "indicators_bundle.json --events " +
                data_ + "zeek_mixed.log"),
            0);
  EXPECT_THAT(err_, HasSubstr("indicator--00000000-0000-4000-8000-000000000007"));
  EXPECT_THAT(err_, HasSubstr("\"skipped_pattern_type\":1"));
  EXPECT_THAT(err_, HasSubstr("\"invalid\":1"));
  EXPECT_THAT(err_, HasSubstr("\"events\":6"));
}

TEST_F(MatchCliTest, StixBundleEventsCarryObservedDataRefs) {
  std::ofstream(dir_ + "/ind.ndjson")
      << R"({"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000001","pattern":"[domain-name:value = 'example.com']","pattern_type":"stix"})"
      << "\n";
  EXPECT_EQ(Run("match --indicators " + dir_ + "/ind.ndjson --events " + data_ +
                "observed_bundle.json"),
            0)
      << err_;
  EXPECT_EQ(CountLines(out_), 1);
  EXPECT_THAT(out_, HasSubstr("\"observed_data_refs\":[\"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf\"]"));
}

TEST_F(MatchCliTest, FollowReadsAFileThatGrowsUntilTheTimeout) {
  std::string events = dir_ + "/growing.log";
  std::ofstream(events) << "";
  std::string cmd = std::string(DETENTE_BINARY) + " match --follow --follow-timeout 1 --indicators " +
                    data_ + "indicators_bundle.json --events " + events + " >" + dir_ +
                    "/stdout 2>" + dir_ + "/stderr";
  FILE* proc = ::popen(cmd.c_str(), "r");
  ASSERT_NE(proc, nullptr);
  {
    std::ofstream append(events, std::ios::app);
    append << Slurp(data_ + "zeek_nopath.log");
  }
  int rc = ::pclose(proc);
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << Slurp(dir_ + "/stderr");
  EXPECT_EQ(CountLines(Slurp(dir_ + "/stdout")), 8);
}

TEST_F(MatchCliTest, MissingIndicatorsFileIsExitCode2) {
  EXPECT_EQ(Run("match --indicators " + dir_ + "/nope.json --events " + data_ + "zeek_conn.log"),
            2);
  EXPECT_THAT(err_, HasSubstr("no such file"));
}

TEST_F(MatchCliTest, MissingEventsFileIsExitCode2) {
  EXPECT_EQ(Run("match --indicators " + data_ + "indicators_bundle.json --events " + dir_ +
                "/nope.log"),
            2);
  EXPECT_THAT(err_, HasSubstr("no such file"));
}

TEST_F(MatchCliTest, IndicatorsThatAreNotJsonAreExitCode1) {
  std::ofstream(dir_ + "/bad.json") << "this is not json\n";
  EXPECT_EQ(Run("match --indicators " + dir_ + "/bad.json --events " + data_ + "zeek_conn.log"),
            1);
  EXPECT_THAT(err_, HasSubstr("invalid JSON"));
  EXPECT_THAT(out_, Not(HasSubstr("sighting")));
}

TEST_F(MatchCliTest, UnknownFormatIsAUsageError) {
  EXPECT_EQ(Run("match --indicators " + data_ + "indicators_bundle.json --format csv"), 2);
}

}  // namespace
