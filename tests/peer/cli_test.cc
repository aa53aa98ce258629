// Tests of `detente init --accord --key`, `detente peer url|list`, `detente sync` and the peer
// agent of `detente serve`, run as child processes of the built binary (DETENTE_BINARY).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "peer/peer_test_util.h"
#include "testing/cli_runner.h"
#include "testing/serve_process.h"

namespace detente::peer {
namespace {

using ::detente::testing::CmdResult;
using ::detente::testing::RunDetente;
using ::testing::HasSubstr;

class PeerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_.path();
    a_ = root_ + "/alpha";
    b_ = root_ + "/beta";
    accord_ = root_ + "/accord.json";
    ASSERT_EQ(Run("init --party beta --dir " + b_).rc, 0);
    // alpha's key exists before its node: it is created at init from the accord.
    crypto::SigningKey alpha_key = crypto::SigningKey::Generate();
    ASSERT_OK(alpha_key.SaveFile(root_ + "/alpha.pem"));
    CmdResult key = Run("key --dir " + b_ + " --json");
    ASSERT_EQ(key.rc, 0) << key.err;
    std::string beta_b64(boost::json::parse(key.out).at("key").as_string());
    CmdResult created =
        Run("accord create --name test --party alpha=" + alpha_key.public_key().ToBase64() +
            " --party beta=" + beta_b64 + " --out " + accord_);
    ASSERT_EQ(created.rc, 0) << created.err;
    // beta signs in its node directory, alpha through a scratch node holding alpha's key.
    std::string tmp_alpha = root_ + "/alpha-signer";
    ASSERT_EQ(Run("init --party alpha --dir " + tmp_alpha).rc, 0);
    std::filesystem::remove(tmp_alpha + "/signing.key");
    ASSERT_OK(alpha_key.SaveFile(tmp_alpha + "/signing.key"));
    ASSERT_EQ(Run("accord sign " + accord_ + " --dir " + tmp_alpha).rc, 0);
    ASSERT_EQ(Run("accord sign " + accord_ + " --dir " + b_).rc, 0);
    CmdResult joined = Run("accord join " + accord_ + " --dir " + b_);
    ASSERT_EQ(joined.rc, 0) << joined.err;
  }

  void TearDown() override { serve_.Kill(); }

  CmdResult Run(const std::string& args, const std::string& input = "") {
    return RunDetente(root_, args, input);
  }

  // Starts `detente serve` for `dir` on 127.0.0.1:0 (serve_) and returns its port (0 on failure).
  uint16_t StartServe(const std::string& dir) {
    return serve_.Start(
        {"serve", "--dir", dir, "--listen", "127.0.0.1:0", "--sync-interval-ms", "50"},
        root_ + "/serve.err");
  }

  void InitAlpha() {
    CmdResult r = Run("init --party alpha --dir " + a_ + " --accord " + accord_ + " --key " +
                      root_ + "/alpha.pem");
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("joined accord"));
  }

  testing::ScratchDir scratch_;
  std::string root_, a_, b_, accord_;
  ::detente::testing::ServeProcess serve_;
};

TEST_F(PeerCliTest, InitWithAccordJoinsWithTheGivenKey) {
  InitAlpha();
  CmdResult key = Run("key --dir " + a_ + " --json");
  ASSERT_EQ(key.rc, 0) << key.err;
  ASSERT_OK_AND_ASSIGN(auto pem, crypto::SigningKey::LoadFile(root_ + "/alpha.pem"));
  EXPECT_THAT(key.out, HasSubstr(pem.public_key().ToBase64()));
  CmdResult show = Run("accord show --dir " + a_);
  EXPECT_EQ(show.rc, 0) << show.err;
}

TEST_F(PeerCliTest, InitWithAccordRefusesAKeyThatIsNotThePartys) {
  crypto::SigningKey other = crypto::SigningKey::Generate();
  ASSERT_OK(other.SaveFile(root_ + "/other.pem"));
  CmdResult r = Run("init --party alpha --dir " + a_ + " --accord " + accord_ + " --key " + root_ +
                    "/other.pem");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("is not the key of party \"alpha\""));
  EXPECT_FALSE(std::filesystem::exists(a_ + "/config.toml"));
  EXPECT_EQ(Run("init --party alpha --dir " + a_ + " --accord " + accord_).rc, 2);
}

TEST_F(PeerCliTest, PeerUrlValidatesAndPeerListShowsTheOverride) {
  InitAlpha();
  EXPECT_EQ(Run("peer url zed http://127.0.0.1:9 --dir " + a_).rc, 1);
  EXPECT_EQ(Run("peer url alpha http://127.0.0.1:9 --dir " + a_).rc, 1);
  CmdResult bad = Run("peer url beta not-a-url --dir " + a_);
  EXPECT_EQ(bad.rc, 1);
  EXPECT_THAT(bad.err, HasSubstr("no scheme"));
  ASSERT_EQ(Run("peer url beta http://127.0.0.1:9 --dir " + a_).rc, 0);
  CmdResult list = Run("peer list --dir " + a_ + " --json");
  ASSERT_EQ(list.rc, 0) << list.err;
  boost::json::value v = boost::json::parse(list.out);
  ASSERT_EQ(v.as_array().size(), 1u);
  const boost::json::object& beta = v.as_array()[0].as_object();
  EXPECT_EQ(beta.at("party").as_string(), "beta");
  EXPECT_EQ(beta.at("url").as_string(), "http://127.0.0.1:9");
  EXPECT_EQ(beta.at("source").as_string(), "override");
}

TEST_F(PeerCliTest, SyncWithAPartnerDownExitsZeroAndKeepsTheMessagePending) {
  InitAlpha();
  ASSERT_EQ(Run("peer url beta http://127.0.0.1:9 --dir " + a_).rc, 0);
  CmdResult sent = Run("send --to beta --kind note - --dir " + a_, "{\"text\":\"hello\"}");
  ASSERT_EQ(sent.rc, 0) << sent.err;
  CmdResult sync = Run("sync --dir " + a_ + " --json");
  EXPECT_EQ(sync.rc, 0) << sync.err;
  boost::json::value v = boost::json::parse(sync.out);
  EXPECT_EQ(v.at("delivered").as_int64(), 0);
  EXPECT_EQ(v.at("pending").as_int64(), 1);
  EXPECT_EQ(v.at("alerts").as_int64(), 0);
  EXPECT_THAT(sync.out, HasSubstr("connect"));
}

TEST_F(PeerCliTest, ServeRunsTheAgentAndSyncDelivers) {
  InitAlpha();
  uint16_t beta_port = StartServe(b_);
  ASSERT_NE(beta_port, 0);
  ASSERT_EQ(Run("peer url beta http://127.0.0.1:" + std::to_string(beta_port) + " --dir " + a_).rc,
            0);
  ASSERT_EQ(Run("send --to beta --kind note - --dir " + a_, "{\"text\":\"hello\"}").rc, 0);
  CmdResult sync = Run("sync --dir " + a_ + " --json");
  ASSERT_EQ(sync.rc, 0) << sync.err << sync.out;
  boost::json::value v = boost::json::parse(sync.out);
  EXPECT_EQ(v.at("delivered").as_int64(), 1) << sync.out;
  EXPECT_EQ(v.at("pending").as_int64(), 0);
  EXPECT_EQ(v.at("witnessed").as_int64(), 1) << sync.out;
  EXPECT_EQ(serve_.Terminate(), 0) << serve_.Stderr();
  EXPECT_THAT(serve_.Stderr(), HasSubstr("peer agent running"));
  CmdResult verify = Run("verify --dir " + b_);
  EXPECT_EQ(verify.rc, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace detente::peer
