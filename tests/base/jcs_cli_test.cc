// End-to-end tests of `detente jcs`: output bytes, exit codes and error messages.
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};

class JcsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("detente_jcs_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Runs `detente <args>` through the shell with stdout/stderr captured in files.
  RunResult Run(const std::string& args) {
    const std::string cmd = std::string("'") + DETENTE_BINARY + "' " + args + " >'" +
                            (dir_ / "stdout").string() + "' 2>'" + (dir_ / "stderr").string() + "'";
    const int status = std::system(cmd.c_str());
    return RunResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(dir_ / "stdout"),
                     Slurp(dir_ / "stderr")};
  }

  fs::path dir_;
};

TEST_F(JcsCliTest, PrintsCanonicalFormWithoutTrailingNewline) {
  const std::string file = Write("in.json", "{ \"b\": 1.50, \"a\": [true, null] }\n");
  RunResult r = Run("jcs '" + file + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"a":[true,null],"b":1.5})");
  EXPECT_EQ(r.err, "");
}

TEST_F(JcsCliTest, ReadsStandardInput) {
  const std::string file = Write("in.json", "[1E3]");
  RunResult r = Run("jcs - <'" + file + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[1000]");
  RunResult implicit = Run("jcs <'" + file + "'");
  EXPECT_EQ(implicit.out, "[1000]");
}

TEST_F(JcsCliTest, InvalidJsonExitsOneNamingLineAndColumn) {
  const std::string file = Write("bad.json", "{\n  \"a\": 1,\n  \"a\": 2\n}");
  RunResult r = Run("jcs '" + file + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("line 3, column 3: duplicate object key \"a\""));
  EXPECT_THAT(r.err, HasSubstr("bad.json"));
}

TEST_F(JcsCliTest, UnreadableFileExitsTwo) {
  RunResult missing = Run("jcs '" + (dir_ / "nope.json").string() + "'");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("no such file"));
  RunResult directory = Run("jcs '" + dir_.string() + "'");
  EXPECT_EQ(directory.exit_code, 2);
  EXPECT_THAT(directory.err, HasSubstr("is a directory"));
}

TEST_F(JcsCliTest, HelpDescribesTheCommand) {
  RunResult r = Run("jcs --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("RFC 8785"));
}

}  // namespace
