// Tests of the `detente` executable's common behaviour: help, version, exit codes.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::HasSubstr;

struct CliRun {
  int exit_code;
  std::string out;  // stdout and stderr together
};

CliRun RunDetente(const std::string& args) {
  std::string cmd = std::string(DETENTE_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  CliRun r{-1, ""};
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(CliTest, HelpListsSubcommandsAndExitsZero) {
  CliRun r = RunDetente("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Subcommands:"));
  EXPECT_THAT(r.out, HasSubstr("version"));
}

TEST(CliTest, VersionPrintsName) {
  CliRun r = RunDetente("version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("detente "));
}

TEST(CliTest, UnknownSubcommandIsUsageError) {
  CliRun r = RunDetente("no-such-command");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTest, NoSubcommandIsUsageError) {
  CliRun r = RunDetente("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("subcommand"));
}

}  // namespace
