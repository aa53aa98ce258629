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
#include <vector>

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

// Starts `detente serve --dir dir_ --listen 127.0.0.1:0 <extra>` as a child with stderr in
// tmp_/serve.err, and waits for its "listening on" line. Returns the port (0 on failure).
class ServeTest : public NodeCliTest {
 protected:
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status;
      ::waitpid(pid_, &status, 0);
    }
    NodeCliTest::TearDown();
  }
  uint16_t StartServe(const std::vector<std::string>& extra, const std::string& scheme) {
    err_path_ = tmp_ + "/serve.err";
    std::vector<std::string> args = {"detente", "serve", "--dir", dir_, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) return 0;
    if (pid_ == 0) {
      int fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 2);
      ::execv(DETENTE_BINARY, argv.data());
      ::_exit(127);
    }
    const std::regex listening("listening on " + scheme + R"(://127\.0\.0\.1:([0-9]+))");
    std::smatch m;
    for (int i = 0; i < 1000; ++i) {
      std::string err = Slurp(err_path_);
      if (std::regex_search(err, m, listening)) return static_cast<uint16_t>(std::stoi(m[1].str()));
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ADD_FAILURE() << "serve exited early: " << err;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "serve did not report listening: " << Slurp(err_path_);
    return 0;
  }
  // Sends SIGTERM and returns the exit status (-1 unless it exited normally).
  int Terminate() {
    if (::kill(pid_, SIGTERM) != 0) return -1;
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  pid_t pid_ = -1;
  std::string err_path_;
};

TEST_F(ServeTest, AnswersHealthzAndExitsZeroOnSigterm) {
  Init();
  uint16_t port = StartServe({}, "http");
  ASSERT_NE(port, 0);
  auto r = testing::Fetch(port, testing::Get("/healthz"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}");
  EXPECT_EQ(Terminate(), 0) << Slurp(err_path_);
  std::string final_err = Slurp(err_path_);
  EXPECT_THAT(final_err, HasSubstr("\"path\":\"/healthz\",\"status\":200"));
  EXPECT_THAT(final_err, HasSubstr("detente serve: stopped"));
}

TEST_F(ServeTest, ServesTaxiiDiscoveryToUserWithToken) {
  Init();
  ASSERT_EQ(Detente("user add alice --dir " + dir_ + " --password 'correct horse'").rc, 0);
  CmdResult tok = Detente("user token alice --dir " + dir_);
  ASSERT_EQ(tok.rc, 0) << tok.err;
  std::string token = tok.out.substr(0, tok.out.find('\n'));
  uint16_t port = StartServe({}, "http");
  ASSERT_NE(port, 0);
  auto denied = testing::Fetch(port, testing::Get("/taxii2/"));
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->status, 401);
  auto r = testing::Fetch(port, testing::Get("/taxii2/", "Authorization: Bearer " + token +
                                                         "\r\nAccept: application/taxii+json;"
                                                         "version=2.1\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->Header("content-type"), StartsWith("application/taxii+json"));
  EXPECT_EQ(Terminate(), 0) << Slurp(err_path_);
  EXPECT_THAT(Slurp(err_path_), HasSubstr("\"path\":\"/taxii2/\",\"status\":200"));
  EXPECT_THAT(Slurp(err_path_), HasSubstr("\"user\":\"alice\""));
}

TEST_F(ServeTest, ServesHttpsWithTlsFlags) {
  Init();
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                    "-keyout " + tmp_ + "/key.pem -out " + tmp_ + "/cert.pem -days 1 "
                    "-subj /CN=localhost >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  uint16_t port = StartServe({"--tls-cert", tmp_ + "/cert.pem", "--tls-key", tmp_ + "/key.pem"},
                             "https");
  ASSERT_NE(port, 0);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_EQ(SSL_CTX_load_verify_locations(ctx, (tmp_ + "/cert.pem").c_str(), nullptr), 1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  auto r = testing::Fetch(port, testing::Get("/healthz"), ctx);
  SSL_CTX_free(ctx);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Terminate(), 0) << Slurp(err_path_);
}

TEST_F(ServeTest, TlsCertWithoutKeyIsRejected) {
  Init();
  CmdResult r = Detente("serve --dir " + dir_ + " --listen 127.0.0.1:0 --tls-cert x.pem");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("--tls-cert and --tls-key must be given together"));
}

TEST_F(NodeCliTest, ServeWithoutNodeIsExit2) {
  CmdResult r = Detente("serve --dir " + tmp_ + "/none --listen 127.0.0.1:0");
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("run detente init"));
}

}  // namespace
}  // namespace detente::server
