// cli_test.cc: `detente accord create|sign|show|verify|join`, `key`, `send`, `status`,
// `messages` and `verify`, through the built binary (testing/cli_runner.h): two nodes agree
// on an accord, one sends, and a row tampered with sqlite3 is caught by verify.
#include <stdlib.h>

#include <boost/json.hpp>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/cli_runner.h"

namespace detente::accord {
namespace {

namespace json = boost::json;
using ::detente::testing::CmdResult;
using ::testing::HasSubstr;

class AccordCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/accord_cli.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { ASSERT_EQ(std::system(("rm -rf '" + dir_ + "'").c_str()), 0); }

  CmdResult Detente(const std::string& args, const std::string& input = "") {
    return ::detente::testing::RunDetente(dir_, args, input);
  }
  std::string Node(const std::string& p) { return dir_ + "/" + p; }

  // Two initialised nodes and a fully signed accord between them in accord.json.
  void MakeSignedAccord() {
    for (const char* p : {"alpha", "beta"}) {
      CmdResult r = Detente(std::string("init --party ") + p + " --dir " + Node(p));
      ASSERT_EQ(r.rc, 0) << r.err;
    }
    std::string keys;
    for (const char* p : {"alpha", "beta"}) {
      CmdResult r = Detente("key --json --dir " + Node(p));
      ASSERT_EQ(r.rc, 0) << r.err;
      json::value v = json::parse(r.out);
      EXPECT_EQ(v.at("party").as_string(), p);
      keys += std::string(" --party ") + p + "=" + std::string(v.at("key").as_string()) +
              "@http://127.0.0.1:1";
    }
    CmdResult r = Detente("accord create --name 'test accord'" + keys +
                          " --commitment 'C1=share within a day' --out " + File());
    ASSERT_EQ(r.rc, 0) << r.err;
    r = Detente("accord verify " + File());
    EXPECT_EQ(r.rc, 1);
    EXPECT_THAT(r.err, HasSubstr("alpha has not signed"));
    for (const char* p : {"alpha", "beta"}) {
      r = Detente("accord sign " + File() + " --dir " + Node(p));
      ASSERT_EQ(r.rc, 0) << r.err;
    }
    r = Detente("accord verify " + File());
    ASSERT_EQ(r.rc, 0) << r.err;
  }

  std::string File() { return dir_ + "/accord.json"; }

  std::string dir_;
};

TEST_F(AccordCliTest, TamperedAccordFailsVerifyNamingTheParty) {
  MakeSignedAccord();
  std::string text = ::detente::testing::Slurp(File());
  text.replace(text.find("test accord"), 11, "test accorD");
  std::ofstream(File(), std::ios::binary | std::ios::trunc) << text;
  CmdResult r = Detente("accord verify " + File());
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("the signature of alpha is invalid"));
  r = Detente("accord verify --json " + File());
  EXPECT_EQ(r.rc, 1);
  EXPECT_FALSE(json::parse(r.out).at("ok").as_bool());
  r = Detente("accord join " + File() + " --dir " + Node("alpha"));
  EXPECT_EQ(r.rc, 1);
}

TEST_F(AccordCliTest, MalformedAccordIsExitOneWithThePointer) {
  std::ofstream(File()) << R"({"type":"detente-accord","v":1})";
  CmdResult r = Detente("accord verify " + File());
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("/name: missing"));
  r = Detente("accord create --name x --party 'alpha=notakey' --out " + File());
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("--party alpha: key"));
}

TEST_F(AccordCliTest, JoinSendStatusMessagesAndVerify) {
  MakeSignedAccord();
  for (const char* p : {"alpha", "beta"}) {
    CmdResult r = Detente("accord join " + File() + " --dir " + Node(p));
    ASSERT_EQ(r.rc, 0) << r.err;
  }
  CmdResult r = Detente("accord show --json --dir " + Node("alpha"));
  ASSERT_EQ(r.rc, 0) << r.err;
  json::value shown = json::parse(r.out);
  EXPECT_TRUE(shown.at("in_force").as_bool());
  std::string hash(shown.at("hash").as_string());
  r = Detente("accord show " + File());
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(hash));
  EXPECT_THAT(r.out, HasSubstr("in force"));

  std::ofstream(dir_ + "/body.json") << R"({"text": "hello beta"})";
  r = Detente("send --to beta --kind note " + dir_ + "/body.json --dir " + Node("alpha") +
              " --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  json::value sent = json::parse(r.out);
  std::string id(sent.at("id").as_string());
  EXPECT_EQ(sent.at("seq").as_int64(), 1);
  r = Detente("send --to mallory --kind note - --dir " + Node("alpha"), "{}");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown recipient \"mallory\""));

  r = Detente("status --json --dir " + Node("alpha"));
  ASSERT_EQ(r.rc, 0) << r.err;
  json::value st = json::parse(r.out);
  EXPECT_EQ(st.at("party").as_string(), "alpha");
  EXPECT_EQ(st.at("accord").as_string(), hash);
  EXPECT_EQ(st.at("log").at("size").as_int64(), 2);
  ASSERT_EQ(st.at("partners").as_array().size(), 1u);
  EXPECT_EQ(st.at("partners").as_array()[0].at("undelivered").as_int64(), 1);
  ASSERT_EQ(st.at("undelivered").as_array().size(), 1u);
  EXPECT_EQ(st.at("undelivered").as_array()[0].at("id").as_string(), id);
  EXPECT_EQ(st.at("undelivered").as_array()[0].at("state").as_string(), "pending");
  EXPECT_TRUE(st.at("alerts").as_array().empty());

  r = Detente("messages --json --dir " + Node("alpha"));
  ASSERT_EQ(r.rc, 0) << r.err;
  json::value msgs = json::parse(r.out);
  ASSERT_EQ(msgs.at("messages").as_array().size(), 1u);
  EXPECT_EQ(msgs.at("messages").as_array()[0].at("body").at("text").as_string(), "hello beta");

  r = Detente("verify --json --dir " + Node("alpha"));
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  json::value ver = json::parse(r.out);
  EXPECT_TRUE(ver.at("ok").as_bool());
  EXPECT_EQ(ver.at("counts").at("messages").as_int64(), 1);

  ASSERT_EQ(std::system(("sqlite3 " + Node("alpha") + "/node.db \"" +
                         std::string("UPDATE accord_messages SET body = '{\\\"text\\\":\\\"x\\\"}'") +
                         "\"").c_str()),
            0);
  r = Detente("verify --dir " + Node("alpha"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.out, HasSubstr("accord_messages row id=" + id));
  r = Detente("verify --json --dir " + Node("alpha"));
  EXPECT_EQ(r.rc, 1);
  ver = json::parse(r.out);
  EXPECT_FALSE(ver.at("ok").as_bool());
  ASSERT_EQ(ver.at("findings").as_array().size(), 1u);
  EXPECT_EQ(ver.at("findings").as_array()[0].at("where").as_string(),
            "accord_messages row id=" + id);
}

TEST_F(AccordCliTest, CommandsOnANodeWithoutAnAccordExitOne) {
  CmdResult r = Detente("init --party alpha --dir " + Node("alpha"));
  ASSERT_EQ(r.rc, 0) << r.err;
  r = Detente("status --dir " + Node("alpha"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("has not joined an accord"));
  r = Detente("verify --dir " + Node("alpha"));
  EXPECT_EQ(r.rc, 1);
  r = Detente("status --dir " + dir_ + "/nowhere");
  EXPECT_EQ(r.rc, 2);
}

}  // namespace
}  // namespace detente::accord
