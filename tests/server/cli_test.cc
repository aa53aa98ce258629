// Tests `detente init`, `detente user ...` and `detente serve` (src/cli/node_cmd.cc) by
// running DETENTE_BINARY: outputs, stderr messages, exit codes (src/cli/cli.h), and a served
// node answering /healthz and exiting 0 on SIGTERM.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "server/http_client.h"
#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct CmdResult {
  int rc = -1;
  std::string out, err;
};

class NodeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "server_cli_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    tmp_ = tmpl;
    dir_ = tmp_ + "/node";
  }
  void TearDown() override { std::filesystem::remove_all(tmp_); }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  CmdResult Detente(const std::string& args, const std::string& input = "") {
    std::ofstream(tmp_ + "/in", std::ios::binary) << input;
    std::string cmd = std::string(DETENTE_BINARY) + " " + args + " < " + tmp_ + "/in > " + tmp_ +
                      "/out 2> " + tmp_ + "/err";
    int status = std::system(cmd.c_str());
    CmdResult r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(tmp_ + "/out");
    r.err = Slurp(tmp_ + "/err");
    return r;
  }
  void Init() {
    CmdResult r = Detente("init --party alpha --dir " + dir_);
    ASSERT_EQ(r.rc, 0) << r.err;
  }

  std::string tmp_, dir_;
};

TEST_F(NodeCliTest, InitCreatesNode) {
  CmdResult r = Detente("init --party alpha --dir " + dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("created node \"alpha\""));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/config.toml"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/signing.key"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/node.db"));
}

TEST_F(NodeCliTest, InitRefusesExistingNodeWithExit2) {
  Init();
  CmdResult r = Detente("init --party beta --dir " + dir_);
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("detente init: "));
  EXPECT_THAT(r.err, HasSubstr("refusing to overwrite"));
}

TEST_F(NodeCliTest, InitWithBadPartyIsExit1) {
  CmdResult r = Detente("init --party 'a b' --dir " + dir_);
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("party"));
}

TEST_F(NodeCliTest, UserAddListTokenGrantRevoke) {
  Init();
  ASSERT_EQ(Detente("user add alice --dir " + dir_ + " --password 'correct horse'").rc, 0);
  CmdResult add2 = Detente("user add bob --dir " + dir_ + " --password-stdin", "battery staple\n");
  ASSERT_EQ(add2.rc, 0) << add2.err;
  CmdResult tok = Detente("user token alice --dir " + dir_);
  ASSERT_EQ(tok.rc, 0) << tok.err;
  EXPECT_THAT(tok.out, StartsWith("dtk_"));
  EXPECT_THAT(tok.err, HasSubstr("shown once"));
  ASSERT_EQ(Detente("user grant alice coll-1 --read --write --dir " + dir_).rc, 0);
  ASSERT_EQ(Detente("user grant bob coll-1 --read --dir " + dir_).rc, 0);
  ASSERT_EQ(Detente("user revoke alice coll-1 --write --dir " + dir_).rc, 0);
  CmdResult list = Detente("user list --json --dir " + dir_);
  ASSERT_EQ(list.rc, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("{\"name\":\"alice\""));
  EXPECT_THAT(list.out, HasSubstr("\"tokens\":1,\"grants\":[{\"collection\":\"coll-1\","
                                  "\"read\":true,\"write\":false}]"));
  EXPECT_THAT(list.out, HasSubstr("{\"name\":\"bob\""));
  EXPECT_OK(base::CanonicalizeJson(list.out).status());
  CmdResult text = Detente("user list --dir " + dir_);
  EXPECT_THAT(text.out, HasSubstr("alice\tcreated="));
  EXPECT_THAT(text.out, HasSubstr("coll-1:r"));
}

TEST_F(NodeCliTest, UserErrorsHaveExitCodes) {
  Init();
  ASSERT_EQ(Detente("user add alice --dir " + dir_ + " --password 'correct horse'").rc, 0);
  CmdResult dup = Detente("user add alice --dir " + dir_ + " --password 'correct horse'");
  EXPECT_EQ(dup.rc, 2);
  EXPECT_THAT(dup.err, HasSubstr("already exists"));
  CmdResult weak = Detente("user add carol --dir " + dir_ + " --password short");
  EXPECT_EQ(weak.rc, 1);
  EXPECT_THAT(weak.err, HasSubstr("at least 8 bytes"));
  CmdResult nopw = Detente("user add carol --dir " + dir_);
  EXPECT_EQ(nopw.rc, 2);
  EXPECT_THAT(nopw.err, HasSubstr("--password"));
  CmdResult ghost = Detente("user token ghost --dir " + dir_);
  EXPECT_EQ(ghost.rc, 2);
  EXPECT_THAT(ghost.err, HasSubstr("no user named \"ghost\""));
  CmdResult noflag = Detente("user grant alice c --dir " + dir_);
  EXPECT_EQ(noflag.rc, 2);
  CmdResult nonode = Detente("user list --dir " + tmp_ + "/none");
  EXPECT_EQ(nonode.rc, 2);
  EXPECT_THAT(nonode.err, HasSubstr("run detente init"));
}

TEST_F(NodeCliTest, ServeAnswersHealthzAndExitsZeroOnSigterm) {
  Init();
  std::string err_path = tmp_ + "/serve.err";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::execl(DETENTE_BINARY, "detente", "serve", "--dir", dir_.c_str(), "--listen",
            "127.0.0.1:0", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait for the listening line (the child prints it once it serves).
  const std::regex listening(R"(listening on http://127\.0\.0\.1:([0-9]+))");
  std::smatch m;
  std::string err;
  for (int i = 0; i < 1000; ++i) {
    err = Slurp(err_path);
    if (std::regex_search(err, m, listening)) break;
    int status;
    if (::waitpid(pid, &status, WNOHANG) == pid) FAIL() << "serve exited early: " << err;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(std::regex_search(err, m, listening)) << err;
  uint16_t port = static_cast<uint16_t>(std::stoi(m[1].str()));
  auto r = testing::Fetch(port, testing::Get("/healthz"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}");
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << Slurp(err_path);
  EXPECT_EQ(WEXITSTATUS(status), 0) << Slurp(err_path);
  std::string final_err = Slurp(err_path);
  EXPECT_THAT(final_err, HasSubstr("\"path\":\"/healthz\",\"status\":200"));
  EXPECT_THAT(final_err, HasSubstr("detente serve: stopped"));
}

TEST_F(NodeCliTest, ServeWithoutNodeIsExit2) {
  CmdResult r = Detente("serve --dir " + tmp_ + "/none --listen 127.0.0.1:0");
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("run detente init"));
}

}  // namespace
}  // namespace detente::server
