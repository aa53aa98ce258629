// Tests `detente init`, `detente user ...`, `detente collection ...` and `detente serve`
// (src/cli/node_cmd.cc) by running DETENTE_BINARY: outputs, stderr messages, exit codes
// (src/cli/cli.h), a served node answering /healthz and exiting 0 on SIGTERM, and the whole
// node flow end to end (init, user, collection, grant, serve, TAXII over HTTP with Basic auth).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "server/http_client.h"
#include "server/server.h"
#include "taxii/taxii_test_util.h"
#include "testing/cli_runner.h"
#include "testing/serve_process.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using ::detente::testing::CmdResult;

class NodeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "server_cli_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    tmp_ = tmpl;
    dir_ = tmp_ + "/node";
  }
  void TearDown() override { std::filesystem::remove_all(tmp_); }

  CmdResult Detente(const std::string& args, const std::string& input = "") {
    return ::detente::testing::RunDetente(tmp_, args, input);
  }
  void Init() {
    CmdResult r = Detente("init --party alpha --dir " + dir_);
    ASSERT_EQ(r.rc, 0) << r.err;
  }
  // `collection add --json` with `extra` flags; returns the new id ("" on failure).
  std::string AddCollection(const std::string& title, const std::string& extra = "") {
    CmdResult r =
        Detente("collection add --title '" + title + "' --json --dir " + dir_ + " " + extra);
    EXPECT_EQ(r.rc, 0) << r.err;
    std::smatch m;
    static const std::regex kId(R"re(^\{"id":"([0-9a-f-]{36})"\}\n$)re");
    if (!std::regex_match(r.out, m, kId)) {
      ADD_FAILURE() << "unexpected output: " << r.out;
      return "";
    }
    return m[1].str();
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
  const std::string coll = AddCollection("feed");
  ASSERT_FALSE(coll.empty());
  ASSERT_EQ(Detente("user grant alice " + coll + " --read --write --dir " + dir_).rc, 0);
  ASSERT_EQ(Detente("user grant bob " + coll + " --read --dir " + dir_).rc, 0);
  ASSERT_EQ(Detente("user revoke alice " + coll + " --write --dir " + dir_).rc, 0);
  CmdResult list = Detente("user list --json --dir " + dir_);
  ASSERT_EQ(list.rc, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("{\"name\":\"alice\""));
  EXPECT_THAT(list.out, HasSubstr("\"tokens\":1,\"grants\":[{\"collection\":\"" + coll +
                                  "\",\"read\":true,\"write\":false}]"));
  EXPECT_THAT(list.out, HasSubstr("{\"name\":\"bob\""));
  EXPECT_OK(base::CanonicalizeJson(list.out).status());
  CmdResult text = Detente("user list --dir " + dir_);
  EXPECT_THAT(text.out, HasSubstr("alice\tcreated="));
  EXPECT_THAT(text.out, HasSubstr(coll + ":r"));
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

TEST_F(NodeCliTest, InitCreatesCursorKeyAndDefaultApiRoot) {
  Init();
  EXPECT_EQ(std::filesystem::file_size(dir_ + "/cursor.key"), 32u);
  EXPECT_EQ(
      std::filesystem::status(dir_ + "/cursor.key").permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  CmdResult r = Detente("collection add --title feed --dir " + dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("in API root api1"));
}

TEST_F(NodeCliTest, CollectionAddJsonPrintsOnlyTheId) {
  Init();
  EXPECT_FALSE(AddCollection("feed").empty());
}

TEST_F(NodeCliTest, CollectionListShowsTableAndJson) {
  Init();
  std::string a = AddCollection("Alpha feed", "--alias alpha-feed --description d");
  std::string b = AddCollection("Second");
  CmdResult text = Detente("collection list --dir " + dir_);
  ASSERT_EQ(text.rc, 0) << text.err;
  EXPECT_THAT(text.out, StartsWith("ID "));
  EXPECT_THAT(text.out, HasSubstr("OBJECTS"));
  EXPECT_THAT(text.out, HasSubstr(a + "  api1"));
  EXPECT_THAT(text.out, HasSubstr("alpha-feed"));
  CmdResult json = Detente("collection list --json --dir " + dir_);
  ASSERT_EQ(json.rc, 0) << json.err;
  EXPECT_OK(base::CanonicalizeJson(json.out).status());
  EXPECT_THAT(json.out, HasSubstr("{\"id\":\"" + a +
                                  "\",\"api_root\":\"api1\",\"title\":"
                                  "\"Alpha feed\",\"description\":\"d\",\"alias\":"
                                  "\"alpha-feed\",\"objects\":0}"));
  EXPECT_THAT(json.out, HasSubstr("\"id\":\"" + b + "\""));
}

TEST_F(NodeCliTest, CollectionAddErrors) {
  Init();
  CmdResult notitle = Detente("collection add --dir " + dir_);
  EXPECT_EQ(notitle.rc, 2);
  CmdResult noroot = Detente("collection add --title t --api-root nope --dir " + dir_);
  EXPECT_EQ(noroot.rc, 2);
  EXPECT_THAT(noroot.err, HasSubstr("nope"));
  AddCollection("t", "--alias dup");
  CmdResult dup = Detente("collection add --title t --alias dup --dir " + dir_);
  EXPECT_EQ(dup.rc, 2);
  EXPECT_THAT(dup.err, HasSubstr("dup"));
  CmdResult baduser = Detente("collection add --title t --red-users 'a b' --dir " + dir_);
  EXPECT_EQ(baduser.rc, 1);
  EXPECT_THAT(baduser.err, HasSubstr("user name"));
}

TEST_F(NodeCliTest, GrantOnUnknownCollectionIsExit1NamingIt) {
  Init();
  ASSERT_EQ(Detente("user add alice --dir " + dir_ + " --password 'correct horse'").rc, 0);
  CmdResult r = Detente("user grant alice coll-x --read --dir " + dir_);
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("detente user grant: no collection \"coll-x\""));
  CmdResult rv = Detente("user revoke alice coll-x --dir " + dir_);
  EXPECT_EQ(rv.rc, 1);
  EXPECT_THAT(rv.err, HasSubstr("no collection \"coll-x\""));
}

TEST_F(NodeCliTest, GrantByAliasStoresTheCollectionId) {
  Init();
  ASSERT_EQ(Detente("user add alice --dir " + dir_ + " --password 'correct horse'").rc, 0);
  std::string id = AddCollection("feed", "--alias feed");
  ASSERT_EQ(Detente("user grant alice feed --read --dir " + dir_).rc, 0);
  CmdResult list = Detente("user list --json --dir " + dir_);
  EXPECT_THAT(list.out, HasSubstr("{\"collection\":\"" + id + "\""));
}

TEST_F(NodeCliTest, CollectionPolicySetShowAndErrors) {
  Init();
  std::string id = AddCollection("feed", "--red-users bob");
  CmdResult show = Detente("collection policy " + id + " --json --dir " + dir_);
  ASSERT_EQ(show.rc, 0) << show.err;
  EXPECT_EQ(show.out, "{\"collection\":\"" + id +
                          "\",\"tlp_policy\":{\"red_users\":[\"bob\"],"
                          "\"amber_strict_users\":[]}}\n");
  CmdResult set = Detente("collection policy " + id +
                          " --amber-strict-users 'carol, dave' --json"
                          " --dir " +
                          dir_);
  ASSERT_EQ(set.rc, 0) << set.err;
  EXPECT_EQ(set.out, "{\"collection\":\"" + id +
                         "\",\"tlp_policy\":{\"red_users\":[\"bob\"],"
                         "\"amber_strict_users\":[\"carol\",\"dave\"]}}\n");
  CmdResult text = Detente("collection policy " + id + " --dir " + dir_);
  EXPECT_THAT(text.out, HasSubstr("TLP:RED users: bob; TLP:AMBER+STRICT users: carol,dave"));
  std::string open = AddCollection("open");
  CmdResult none = Detente("collection policy " + open + " --dir " + dir_);
  EXPECT_THAT(none.out, HasSubstr("no TLP policy"));
  CmdResult unknown = Detente("collection policy nope --red-users a --dir " + dir_);
  EXPECT_EQ(unknown.rc, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no collection \"nope\""));
  CmdResult bad = Detente("collection policy " + id + " --red-users 'x;y' --dir " + dir_);
  EXPECT_EQ(bad.rc, 1);
  EXPECT_THAT(bad.err, HasSubstr("user name"));
}

// Runs `detente serve --dir dir_ --listen 127.0.0.1:0 <extra>` as a child (serve_) with stderr
// in tmp_/serve.err.
class ServeTest : public NodeCliTest {
 protected:
  void TearDown() override {
    serve_.Kill();
    NodeCliTest::TearDown();
  }
  // Returns the port of the started server (0 on failure).
  uint16_t StartServe(const std::vector<std::string>& extra, const std::string& scheme) {
    std::vector<std::string> args = {"serve", "--dir", dir_, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return serve_.Start(args, tmp_ + "/serve.err", scheme);
  }
  ::detente::testing::ServeProcess serve_;
};

TEST_F(ServeTest, AnswersHealthzAndExitsZeroOnSigterm) {
  Init();
  uint16_t port = StartServe({}, "http");
  ASSERT_NE(port, 0);
  auto r = testing::Fetch(port, testing::Get("/healthz"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}");
  EXPECT_EQ(serve_.Terminate(), 0) << serve_.Stderr();
  std::string final_err = serve_.Stderr();
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
  EXPECT_EQ(serve_.Terminate(), 0) << serve_.Stderr();
  EXPECT_THAT(serve_.Stderr(), HasSubstr("\"path\":\"/taxii2/\",\"status\":200"));
  EXPECT_THAT(serve_.Stderr(), HasSubstr("\"user\":\"alice\""));
}

std::string BasicAuth(const std::string& user, const std::string& password) {
  std::string raw = user + ":" + password;
  return "Authorization: Basic " + base::Base64Encode(base::AsBytes(raw)) + "\r\n";
}

constexpr char kTaxiiAccept[] = "Accept: application/taxii+json;version=2.1\r\n";

std::string Post(const std::string& path, const std::string& headers, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers +
         "Content-Type: application/taxii+json;version=2.1\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The node flow of the CLI contract: init, user add, collection add --json, grant, serve,
// then TAXII with Basic auth: discovery, POST 3 objects, GET them back, SIGTERM -> exit 0.
class NodeEndToEndTest : public ServeTest {
 protected:
  void SetUpNode() {
    Init();
    ASSERT_EQ(Detente("user add alice --dir " + dir_ + " --password-stdin", "correct horse\n").rc,
              0);
    coll_ = AddCollection("shared indicators");
    ASSERT_FALSE(coll_.empty());
    CmdResult g = Detente("user grant alice " + coll_ + " --read --write --dir " + dir_);
    ASSERT_EQ(g.rc, 0) << g.err;
    auth_ = BasicAuth("alice", "correct horse") + kTaxiiAccept;
  }
  std::string ObjectsPath() { return "/api1/collections/" + coll_ + "/objects/"; }
  void PostThree(uint16_t port) {
    using taxii::testing::Indicator;
    std::string body = taxii::testing::Envelope(
        {Indicator(1), taxii::testing::Malware(2), taxii::testing::Ipv4(3)});
    auto r = testing::Fetch(port, Post(ObjectsPath(), auth_, body));
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 202) << r->body;
    EXPECT_THAT(r->body, HasSubstr("\"status\":\"complete\""));
    EXPECT_THAT(r->body, HasSubstr("\"success_count\":3"));
  }
  std::string coll_, auth_;
};

TEST_F(NodeEndToEndTest, InitUserCollectionGrantServePostGetAndStop) {
  SetUpNode();
  uint16_t port = StartServe({}, "http");
  ASSERT_NE(port, 0);
  auto health = testing::Fetch(port, testing::Get("/healthz"));
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);

  auto discovery = testing::Fetch(port, testing::Get("/taxii2/", auth_));
  ASSERT_TRUE(discovery.has_value());
  EXPECT_EQ(discovery->status, 200) << discovery->body;
  EXPECT_THAT(discovery->body, HasSubstr("\"default\":\"/api1/\""));
  EXPECT_THAT(discovery->body, HasSubstr("\"api_roots\":[\"/api1/\"]"));

  PostThree(port);

  auto objects = testing::Fetch(port, testing::Get(ObjectsPath(), auth_));
  ASSERT_TRUE(objects.has_value());
  ASSERT_EQ(objects->status, 200) << objects->body;
  EXPECT_THAT(objects->Header("content-type"), StartsWith("application/taxii+json"));
  EXPECT_THAT(objects->body, HasSubstr(taxii::testing::StixId("indicator", 1)));
  EXPECT_THAT(objects->body, HasSubstr(taxii::testing::StixId("malware", 2)));
  EXPECT_THAT(objects->body, HasSubstr(taxii::testing::StixId("ipv4-addr", 3)));

  auto wrong = testing::Fetch(port, testing::Get(ObjectsPath(), BasicAuth("alice", "wrong pass")));
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 401);

  EXPECT_EQ(serve_.Terminate(), 0) << serve_.Stderr();
  EXPECT_THAT(serve_.Stderr(), HasSubstr("detente serve: stopped"));

  CmdResult list = Detente("collection list --json --dir " + dir_);
  EXPECT_THAT(list.out, HasSubstr("\"objects\":3"));
}

TEST_F(NodeEndToEndTest, NextCursorSurvivesARestart) {
  SetUpNode();
  uint16_t port = StartServe({}, "http");
  ASSERT_NE(port, 0);
  PostThree(port);
  auto first = testing::Fetch(port, testing::Get(ObjectsPath() + "?limit=1", auth_));
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->status, 200) << first->body;
  std::smatch m;
  static const std::regex kNext(R"re("next":"([A-Za-z0-9_.~-]+)")re");
  ASSERT_TRUE(std::regex_search(first->body, m, kNext)) << first->body;
  const std::string next = m[1].str();
  ASSERT_EQ(serve_.Terminate(), 0) << serve_.Stderr();

  port = StartServe({}, "http");
  ASSERT_NE(port, 0);
  auto second = testing::Fetch(port, testing::Get(ObjectsPath() + "?limit=1&next=" + next, auth_));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_THAT(second->body, HasSubstr(taxii::testing::StixId("malware", 2)));
  EXPECT_EQ(serve_.Terminate(), 0) << serve_.Stderr();
}

TEST_F(NodeEndToEndTest, TlpPolicyHidesRedObjectsFromOtherReaders) {
  SetUpNode();
  ASSERT_EQ(Detente("user add bob --dir " + dir_ + " --password 'battery staple'").rc, 0);
  ASSERT_EQ(Detente("user grant bob " + coll_ + " --read --dir " + dir_).rc, 0);
  ASSERT_EQ(Detente("collection policy " + coll_ + " --red-users alice --dir " + dir_).rc, 0);
  uint16_t port = StartServe({}, "http");
  ASSERT_NE(port, 0);
  std::string red = taxii::testing::Indicator(
      7, "2024-01-01T00:00:00.000Z",
      "\"object_marking_refs\":[\"" + std::string(taxii::testing::kTlpRed) + "\"],");
  auto posted = testing::Fetch(port, Post(ObjectsPath(), auth_, taxii::testing::Envelope({red})));
  ASSERT_TRUE(posted.has_value());
  ASSERT_EQ(posted->status, 202) << posted->body;
  const std::string bob = BasicAuth("bob", "battery staple") + kTaxiiAccept;
  const std::string id = taxii::testing::StixId("indicator", 7);
  auto bob_list = testing::Fetch(port, testing::Get(ObjectsPath(), bob));
  ASSERT_TRUE(bob_list.has_value());
  EXPECT_EQ(bob_list->status, 200);
  EXPECT_THAT(bob_list->body, ::testing::Not(HasSubstr(id)));
  auto bob_get = testing::Fetch(port, testing::Get(ObjectsPath() + id + "/", bob));
  ASSERT_TRUE(bob_get.has_value());
  EXPECT_EQ(bob_get->status, 404);
  auto alice_get = testing::Fetch(port, testing::Get(ObjectsPath() + id + "/", auth_));
  ASSERT_TRUE(alice_get.has_value());
  EXPECT_EQ(alice_get->status, 200) << alice_get->body;
  EXPECT_EQ(serve_.Terminate(), 0) << serve_.Stderr();
}

TEST_F(ServeTest, ServesHttpsWithTlsFlags) {
  Init();
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-keyout " +
      tmp_ + "/key.pem -out " + tmp_ +
      "/cert.pem -days 1 "
      "-subj /CN=localhost >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  uint16_t port =
      StartServe({"--tls-cert", tmp_ + "/cert.pem", "--tls-key", tmp_ + "/key.pem"}, "https");
  ASSERT_NE(port, 0);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_EQ(SSL_CTX_load_verify_locations(ctx, (tmp_ + "/cert.pem").c_str(), nullptr), 1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  auto r = testing::Fetch(port, testing::Get("/healthz"), ctx);
  SSL_CTX_free(ctx);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(serve_.Terminate(), 0) << serve_.Stderr();
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
