// Shares across three real nodes (testing/node_harness.h): `detente share` from alpha to beta
// lands in beta's TAXII collection "from-alpha"; a TAXII POST to alpha's outbound collection
// "to-beta" arrives at beta; a TLP:RED share to beta never reaches gamma, whatever gamma pulls,
// and beta can share it onward neither by `detente share` nor by a TAXII POST (403, nothing
// stored); a retraction propagates; `detente match --send-sightings` on beta sends sightings
// that alpha lists per indicator. TAXII requests go through curl(1).
//
// Waiting: deliveries are forced with bounded `detente sync` rounds; received messages are
// applied by `detente shares` (which applies what arrived). No test asserts a duration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "testing/node_harness.h"
#include "testing/status_matchers.h"

namespace detente::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

namespace json = boost::json;

constexpr const char* kRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr const char* kGreen = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
constexpr const char* kTaxii = "application/taxii+json;version=2.1";

std::string IndicatorId(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", n);
  return buf;
}

// An indicator of 198.51.100.<n> marked `marking` (none when empty).
std::string Indicator(int n, const std::string& marking) {
  std::string s = R"({"type":"indicator","spec_version":"2.1","id":")" + IndicatorId(n) +
                  R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
                  R"("pattern":"[ipv4-addr:value = '198.51.100.)" +
                  std::to_string(n) +
                  R"(']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z")";
  if (!marking.empty()) s += R"(,"object_marking_refs":[")" + marking + R"("])";
  return s + "}";
}

std::string Bundle(const std::vector<std::string>& objects) {
  std::string s =
      R"({"type":"bundle","id":"bundle--22222222-2222-4222-8222-222222222222","objects":[)";
  for (size_t i = 0; i < objects.size(); ++i) s += (i ? "," : "") + objects[i];
  return s + "]}";
}

struct Http {
  int status = 0;
  std::string body;
};

class SharesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Cluster::Create();
    ASSERT_OK(c.status());
    cluster_ = std::move(c).value();
    ASSERT_OK(cluster_->StartAccord({"alpha", "beta", "gamma"}));
  }
  void TearDown() override {
    if (HasFailure()) cluster_->PrintServeLogTails();
    cluster_.reset();
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = cluster_->scratch() + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  ProcResult Ok(const std::string& label, std::vector<std::string> args) {
    ProcResult r = cluster_->Run(label, std::move(args));
    EXPECT_EQ(r.rc, 0) << r.Describe();
    return r;
  }

  void SyncAll() {
    ASSERT_THAT(cluster_->SyncUntilDelivered({"alpha", "beta", "gamma"}, 10), IsOk());
  }

  // `detente shares --json` on `label` (which also applies what arrived).
  json::array Shares(const std::string& label) {
    ProcResult r = Ok(label, {"shares", "--json"});
    boost::system::error_code ec;
    json::value v = json::parse(r.out, ec);
    if (ec || !v.is_object() || !v.as_object().contains("shares")) {
      ADD_FAILURE() << "shares --json printed " << r.out;
      return {};
    }
    return v.as_object()["shares"].as_array();
  }

  // A user `name` with `grants` ("read" / "read,write") on the collections of `label` with
  // the given aliases.
  void AddUser(const std::string& label, const std::string& name,
               const std::vector<std::string>& aliases, bool write) {
    ProcResult add =
        cluster_->Run(label, {"user", "add", name, "--password", "pw-" + name + "-secret"});
    ASSERT_EQ(add.rc, 0) << add.Describe();
    ProcResult list = Ok(label, {"collection", "list", "--json"});
    json::value v = json::parse(list.out);
    const json::array* colls =
        v.is_array() ? &v.as_array() : &v.as_object().at("collections").as_array();
    for (const std::string& alias : aliases) {
      std::string id;
      for (const auto& c : *colls) {
        const json::object& o = c.as_object();
        if (o.contains("alias") && o.at("alias").is_string() && o.at("alias").as_string() == alias) {
          id = std::string(o.at("id").as_string());
        }
      }
      ASSERT_FALSE(id.empty()) << label << " has no collection " << alias << ": " << list.out;
      std::vector<std::string> args = {"user", "grant", name, id, "--read"};
      if (write) args.push_back("--write");
      ProcResult g = cluster_->Run(label, args);
      ASSERT_EQ(g.rc, 0) << g.Describe();
    }
  }

  Http Taxii(const std::string& label, const std::string& user, const std::string& method,
             const std::string& path, const std::string& body = "") {
    std::string cmd = "curl -s -o " + cluster_->scratch() + "/curl.out -w '%{http_code}' -X " +
                      method + " -u " + user + ":pw-" + user + "-secret -H 'Accept: " + kTaxii +
                      "'";
    if (!body.empty()) {
      cmd += " -H 'Content-Type: " + std::string(kTaxii) + "' --data-binary @" +
             WriteFile("curl.in", body);
    }
    cmd += " '" + cluster_->node(label).url() + path + "'";
    int rc = 0;
    std::string code = Shell(cmd, &rc);
    Http h;
    h.status = rc == 0 ? std::atoi(code.c_str()) : -1;
    std::ifstream in(cluster_->scratch() + "/curl.out");
    h.body.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return h;
  }

  std::unique_ptr<Cluster> cluster_;
};

TEST_F(SharesTest, SharesRetractionsTlpAndSightingsAcrossRealNodes) {
  // 1. `detente share` from alpha to beta; beta sees it over TAXII in "from-alpha".
  std::string bundle = WriteFile("bundle.json", Bundle({Indicator(1, kGreen), Indicator(2, "")}));
  ProcResult shared = Ok("alpha", {"share", bundle, "--to", "beta", "--json"});
  json::value sv = json::parse(shared.out);
  std::string share_id(sv.at("id").as_string());
  EXPECT_EQ(sv.at("tlp").as_string(), "green");  // the strictest marking present
  ASSERT_NO_FATAL_FAILURE(SyncAll());
  json::array at_beta = Shares("beta");
  ASSERT_EQ(at_beta.size(), 1u);
  EXPECT_EQ(at_beta[0].at("id").as_string(), share_id);
  EXPECT_EQ(at_beta[0].at("from").as_string(), "alpha");
  ASSERT_NO_FATAL_FAILURE(AddUser("beta", "analyst", {"from-alpha", "to-gamma"}, true));
  Http got = Taxii("beta", "analyst", "GET", "/api1/collections/from-alpha/objects/");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_THAT(got.body, HasSubstr(IndicatorId(1)));
  EXPECT_THAT(got.body, HasSubstr(IndicatorId(2)));

  // 2. A TAXII POST to alpha's "to-beta" is shared with beta.
  Shares("alpha");  // makes sure the outbound collections exist
  ASSERT_NO_FATAL_FAILURE(AddUser("alpha", "misp", {"to-beta"}, true));
  Http posted = Taxii("alpha", "misp", "POST", "/api1/collections/to-beta/objects/",
                      "{\"objects\":[" + Indicator(4, kGreen) + "]}");
  EXPECT_EQ(posted.status, 202) << posted.body;
  ASSERT_NO_FATAL_FAILURE(SyncAll());
  Shares("beta");
  got = Taxii("beta", "analyst", "GET", "/api1/collections/from-alpha/objects/");
  EXPECT_THAT(got.body, HasSubstr(IndicatorId(4)));

  // 3. TLP:RED to beta only: gamma never gets it, whatever it pulls.
  std::string red = WriteFile("red.json", Bundle({Indicator(3, kRed)}));
  ProcResult red_share = Ok("alpha", {"share", red, "--to", "beta", "--json"});
  EXPECT_EQ(json::parse(red_share.out).at("tlp").as_string(), "red");
  ASSERT_NO_FATAL_FAILURE(SyncAll());
  Ok("gamma", {"sync"});  // gamma pulls from alpha and beta
  Ok("gamma", {"sync"});
  auto gamma_msgs = cluster_->Messages("gamma");
  ASSERT_OK(gamma_msgs.status());
  for (const MessageView& m : *gamma_msgs) {
    EXPECT_THAT(m.body, Not(HasSubstr(IndicatorId(3)))) << m.id;
  }
  for (const auto& s : Shares("gamma")) {
    EXPECT_THAT(json::serialize(s), Not(HasSubstr(IndicatorId(3))));
  }
  ASSERT_NO_FATAL_FAILURE(AddUser("gamma", "viewer", {"from-alpha", "from-beta"}, false));
  for (const std::string coll : {"from-alpha", "from-beta"}) {
    Http g = Taxii("gamma", "viewer", "GET", "/api1/collections/" + coll + "/objects/");
    EXPECT_THAT(g.body, Not(HasSubstr(IndicatorId(3)))) << coll;
  }
  // beta holds it but may not pass it on: not by the CLI...
  json::array beta_shares = Shares("beta");
  EXPECT_THAT(json::serialize(beta_shares), HasSubstr(IndicatorId(3)));
  ProcResult onward = cluster_->Run("beta", {"share", red, "--to", "gamma"});
  EXPECT_NE(onward.rc, 0);
  EXPECT_THAT(onward.err, HasSubstr("TLP:RED"));
  // ...nor by a TAXII POST to its "to-gamma" (403, nothing stored, nothing sent).
  Http refused = Taxii("beta", "analyst", "POST", "/api1/collections/to-gamma/objects/",
                       "{\"objects\":[" + Indicator(3, kRed) + "]}");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("TLP:RED"));
  Http to_gamma = Taxii("beta", "analyst", "GET", "/api1/collections/to-gamma/objects/");
  EXPECT_THAT(to_gamma.body, Not(HasSubstr(IndicatorId(3))));
  ASSERT_NO_FATAL_FAILURE(SyncAll());
  gamma_msgs = cluster_->Messages("gamma");
  ASSERT_OK(gamma_msgs.status());
  for (const MessageView& m : *gamma_msgs) {
    EXPECT_THAT(m.body, Not(HasSubstr(IndicatorId(3)))) << m.id;
  }

  // 4. A retraction propagates: beta deletes indicator 2.
  Ok("alpha", {"retract", IndicatorId(2), "--reason", "false positive"});
  ASSERT_NO_FATAL_FAILURE(SyncAll());
  json::array after = Shares("beta");
  std::string retracted;
  for (const auto& s : after) {
    if (s.at("id").as_string() == share_id) retracted = json::serialize(s.at("retracted"));
  }
  EXPECT_THAT(retracted, HasSubstr(IndicatorId(2)));
  got = Taxii("beta", "analyst", "GET", "/api1/collections/from-alpha/objects/");
  EXPECT_THAT(got.body, Not(HasSubstr(IndicatorId(2))));
  EXPECT_THAT(got.body, HasSubstr(IndicatorId(1)));

  // 5. beta matches its logs and sends the sightings back; alpha lists them per indicator.
  std::string events = WriteFile(
      "conn.log",
      R"({"_path":"conn","ts":1767225600.5,"id.orig_h":"10.0.0.5","id.orig_p":49152,"id.resp_h":"198.51.100.1","id.resp_p":443,"proto":"tcp"})"
      "\n"
      R"({"_path":"conn","ts":1767225700.5,"id.orig_h":"10.0.0.6","id.orig_p":49153,"id.resp_h":"198.51.100.1","id.resp_p":443,"proto":"tcp"})"
      "\n"
      R"({"_path":"conn","ts":1767225800.5,"id.orig_h":"10.0.0.7","id.orig_p":49154,"id.resp_h":"198.51.100.99","id.resp_p":443,"proto":"tcp"})"
      "\n");
  ProcResult matched = Ok("beta", {"match", "--indicators", bundle, "--events", events,
                                   "--format", "zeek", "--send-sightings"});
  EXPECT_THAT(matched.out, HasSubstr(IndicatorId(1)));
  ASSERT_NO_FATAL_FAILURE(SyncAll());
  ProcResult sightings = Ok("alpha", {"sightings", "--json"});
  json::value sj = json::parse(sightings.out);
  const json::array& list = sj.at("sightings").as_array();
  ASSERT_EQ(list.size(), 1u) << sightings.out;
  EXPECT_EQ(list[0].at("indicator").as_string(), IndicatorId(1));
  EXPECT_EQ(list[0].at("party").as_string(), "beta");
  EXPECT_EQ(list[0].at("count").as_int64(), 2);
  ProcResult table = Ok("alpha", {"sightings"});
  EXPECT_THAT(table.out, HasSubstr(IndicatorId(1)));
  EXPECT_THAT(table.out, HasSubstr("beta"));

  for (const std::string l : {"alpha", "beta", "gamma"}) {
    auto v = cluster_->Verify(l);
    ASSERT_OK(v.status());
    EXPECT_TRUE(v->ok) << l << ": " << v->text;
  }
}

}  // namespace
}  // namespace detente::testing
