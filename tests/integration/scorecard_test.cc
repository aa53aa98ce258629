// The scorecard recomputed independently: three real nodes (testing/node_harness.h) on a fast
// clock (config.toml [clock]: 600 times real time from a shared epoch, so a critical request's
// one-hour acknowledge deadline passes in six real seconds), workflows driven only through
// the CLI (`detente request ...`, `detente violation ...`), one request left unacknowledged so
// that alpha's `detente serve` escalates it to the hotline (every other party). Then, for every
// node, `detente scorecard --json --at T` must equal what tests/integration/scorecard.py (Python
// standard library, written from docs/formats/workflows.md, not from the C++) computes from the
// accord file and the node's `detente messages --json --all --envelopes`.
//
// Waiting: `detente sync` rounds (bounded) and one bounded poll for the escalation, which the
// serve's ticker sends on the fast clock. No duration is asserted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/base.h"
#include "testing/node_harness.h"
#include "testing/status_matchers.h"

namespace detente::testing {
namespace {

namespace json = boost::json;

// The peer protocol accepts request dates within 300 s of node time: at 600x a request may take
// up to half a real second to arrive, enough on a loaded test machine.
constexpr int64_t kSpeed = 600;

std::string ScriptPath() {
  return (std::filesystem::path(__FILE__).parent_path() / "scorecard.py").string();
}

// Numbers compare by value (Boost.JSON keeps 3600 and 3600.0 apart; Python prints 3600.0).
bool SameJson(const json::value& a, const json::value& b, std::string* where,
              const std::string& path = "") {
  if (a.is_number() && b.is_number()) {
    double x = a.to_number<double>(), y = b.to_number<double>();
    if (std::abs(x - y) <= 1e-6 * std::max(1.0, std::abs(x))) return true;
    *where = path + ": " + json::serialize(a) + " vs " + json::serialize(b);
    return false;
  }
  if (a.kind() != b.kind()) {
    *where = path + ": " + json::serialize(a) + " vs " + json::serialize(b);
    return false;
  }
  if (a.is_object()) {
    const auto &oa = a.as_object(), &ob = b.as_object();
    if (oa.size() != ob.size()) {
      *where = path + ": members differ: " + json::serialize(a) + " vs " + json::serialize(b);
      return false;
    }
    for (const auto& kv : oa) {
      if (!ob.contains(kv.key())) {
        *where = path + "/" + std::string(kv.key()) + ": missing";
        return false;
      }
      if (!SameJson(kv.value(), ob.at(kv.key()), where, path + "/" + std::string(kv.key()))) {
        return false;
      }
    }
    return true;
  }
  if (a.is_array()) {
    const auto &xa = a.as_array(), &xb = b.as_array();
    if (xa.size() != xb.size()) {
      *where = path + ": lengths differ";
      return false;
    }
    for (size_t i = 0; i < xa.size(); ++i) {
      if (!SameJson(xa[i], xb[i], where, path + "/" + std::to_string(i))) return false;
    }
    return true;
  }
  if (a != b) {
    *where = path + ": " + json::serialize(a) + " vs " + json::serialize(b);
    return false;
  }
  return true;
}

class ScorecardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Cluster::Options o;
    o.sync_interval_ms = 100;
    auto c = Cluster::Create(o);
    ASSERT_OK(c.status());
    cluster_ = std::move(c).value();
  }
  void TearDown() override {
    if (HasFailure()) cluster_->PrintServeLogTails();
    cluster_.reset();
  }

  // `detente ARGS --dir LABEL --json`, parsed; fails the test on a non-zero exit.
  json::value RunJson(const std::string& label, std::vector<std::string> args) {
    args.push_back("--json");
    ProcResult r = cluster_->Run(label, args);
    EXPECT_EQ(r.rc, 0) << r.Describe();
    json::error_code ec;
    json::value v = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << r.Describe();
    return v;
  }
  std::string Id(const json::value& v) {
    return v.is_object() && v.as_object().contains("id") ? std::string(v.at("id").as_string()) : "";
  }
  void Deliver() {
    auto rounds = cluster_->SyncUntilDelivered(cluster_->labels(), 30);
    ASSERT_OK(rounds.status());
  }
  // True once LABEL holds a message of `kind` in request ID's history.
  bool HasStep(const std::string& label, const std::string& id, const std::string& kind) {
    ProcResult r = cluster_->Run(label, {"request", "show", id, "--json"});
    if (r.rc != 0) return false;
    json::error_code ec;
    json::value v = json::parse(r.out, ec);
    if (ec || !v.is_object() || !v.as_object().contains("messages")) return false;
    for (const auto& m : v.at("messages").as_array()) {
      if (m.at("kind").as_string() == kind.c_str()) return true;
    }
    return false;
  }

  std::unique_ptr<Cluster> cluster_;
};

TEST_F(ScorecardTest, EveryNodesScorecardEqualsTheIndependentRecomputation) {
  for (const char* l : {"alpha", "beta", "gamma"}) ASSERT_OK(cluster_->AddNode(l));
  ASSERT_OK(cluster_->FormAccord());
  // The fast clock, the same for every node and every CLI process opening it.
  const std::string epoch = base::SystemClock::Default().Now().FormatMillis();
  for (const std::string& l : cluster_->labels()) {
    std::ofstream cfg(cluster_->node(l).dir + "/config.toml", std::ios::app);
    cfg << "\n[clock]\nspeed = " << kSpeed << "\nepoch = \"" << epoch << "\"\n";
  }
  ASSERT_OK(cluster_->ServeAll());
  ASSERT_OK(cluster_->PointAllPeers());

  const std::vector<std::string> preservation = {
      "--category",    "preservation", "--title",          "Keep logs",
      "--description", "C2 seen",      "--legal-basis",    "Accord art. 4",
      "--identifier",  "203.0.113.7",  "--retention-days", "90"};
  auto file = [&](const std::string& from, const std::string& to, const std::string& priority) {
    std::vector<std::string> args = {"request", "file", "--to", to, "--priority", priority};
    args.insert(args.end(), preservation.begin(), preservation.end());
    return Id(RunJson(from, args));
  };

  // r1: alpha -> beta, critical, never acknowledged: escalated by alpha's serve.
  std::string r1 = file("alpha", "beta", "critical");
  // r2: alpha -> gamma, answered and closed; r3: beta -> gamma, declined;
  // r4: gamma -> alpha, with a round of information.
  std::string r2 = file("alpha", "gamma", "high");
  std::string r3 = file("beta", "gamma", "medium");
  std::string r4 = file("gamma", "alpha", "low");
  ASSERT_FALSE(r1.empty() || r2.empty() || r3.empty() || r4.empty());
  ASSERT_NO_FATAL_FAILURE(Deliver());
  RunJson("gamma", {"request", "ack", r2});
  RunJson("gamma", {"request", "respond", r2, "--outcome", "completed", "--details", "kept"});
  RunJson("gamma", {"request", "respond", r3, "--outcome", "declined", "--reason", "no basis"});
  RunJson("alpha", {"request", "ack", r4});
  RunJson("alpha", {"request", "info-needed", r4, "--question", "Which period?"});
  // A violation report against gamma, answered and disputed.
  std::string v1 =
      Id(RunJson("beta", {"violation", "report", "--against", "gamma", "--commitment", "C1",
                          "--summary", "scanned us", "--evidence", "indicator--x"}));
  ASSERT_NO_FATAL_FAILURE(Deliver());
  RunJson("alpha", {"request", "close", r2, "--resolution", "accepted"});
  RunJson("alpha", {"request", "feedback", r2, "--use", "arrest"});
  RunJson("gamma", {"request", "info", r4, "--answer", "November"});
  if (!v1.empty()) {
    RunJson("gamma", {"violation", "respond", v1, "--answer", "denied", "--statement", "no"});
  }
  ASSERT_NO_FATAL_FAILURE(Deliver());
  RunJson("alpha", {"request", "respond", r4, "--outcome", "partial"});
  if (!v1.empty()) RunJson("beta", {"violation", "dispute", v1, "--statement", "logs show it"});

  // r1's acknowledge deadline (1 h) passes within six real seconds on the fast clock.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!HasStep("alpha", r1, "request-escalate")) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "alpha never escalated " << r1;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_NO_FATAL_FAILURE(Deliver());
  // Freeze: no ticker may send anything between the exports and the scorecards.
  for (const std::string& l : cluster_->labels()) ASSERT_OK(cluster_->Stop(l));

  const json::value alpha_now = RunJson("alpha", {"scorecard"});
  ASSERT_TRUE(alpha_now.is_object());
  const std::string at(alpha_now.at("now").as_string());
  bool escalated_seen_by_gamma = false;
  for (const std::string& l : cluster_->labels()) {
    SCOPED_TRACE(l);
    json::value node = RunJson(l, {"scorecard", "--at", at});
    ProcResult msgs = cluster_->Run(l, {"messages", "--json", "--all", "--envelopes"});
    ASSERT_EQ(msgs.rc, 0) << msgs.Describe();
    const std::string file_path = cluster_->scratch() + "/" + l + "-messages.json";
    std::ofstream(file_path) << msgs.out;
    int rc = 0;
    std::string out = Shell("python3 " + ScriptPath() + " --accord " + cluster_->accord_file() +
                                " --messages " + file_path + " --at " + at + " 2>&1",
                            &rc);
    ASSERT_EQ(rc, 0) << out;
    json::error_code ec;
    json::value script = json::parse(out, ec);
    ASSERT_FALSE(ec) << out;
    std::string where;
    EXPECT_TRUE(SameJson(node, script, &where))
        << where << "\nnode:   " << json::serialize(node) << "\nscript: " << out;
    for (const auto& row : node.at("parties").as_array()) {
      if (l == "gamma" && row.at("party").as_string() == "beta") {
        escalated_seen_by_gamma = row.at("escalations").as_int64() == 0;
      }
    }
  }
  // gamma holds alpha's escalation of r1 but not r1 itself: it cannot count it against beta.
  EXPECT_TRUE(escalated_seen_by_gamma);
  const json::value alpha_card = RunJson("alpha", {"scorecard", "--at", at});
  for (const auto& row : alpha_card.at("parties").as_array()) {
    if (row.at("party").as_string() == "beta") {
      EXPECT_GE(row.at("escalations").as_int64(), 1);
      EXPECT_EQ(row.at("acknowledged").as_int64(), 0);
    }
    if (row.at("party").as_string() == "gamma") {
      EXPECT_EQ(row.at("declined").as_int64(), 0);  // alpha does not hold beta's r3
      EXPECT_EQ(row.at("responded").as_int64(), 1);
    }
  }
}

TEST_F(ScorecardTest, ScriptRefusesExportsThatDoNotMatchTheirSignedEnvelopes) {
  for (const char* l : {"alpha", "beta"}) ASSERT_OK(cluster_->AddNode(l));
  ASSERT_OK(cluster_->FormAccord());
  json::value filed = RunJson(
      "alpha", {"request", "file", "--to", "beta", "--priority", "high", "--category", "other",
                "--title", "Keep logs", "--description", "d", "--legal-basis", "art. 4"});
  ASSERT_FALSE(Id(filed).empty());
  ProcResult msgs = cluster_->Run("alpha", {"messages", "--json", "--all", "--envelopes"});
  ASSERT_EQ(msgs.rc, 0) << msgs.Describe();
  auto run = [&](const std::string& name, const std::string& text, int* rc) {
    const std::string path = cluster_->scratch() + "/" + name + ".json";
    std::ofstream(path) << text;
    return Shell("python3 " + ScriptPath() + " --accord " + cluster_->accord_file() +
                     " --messages " + path + " 2>&1",
                 rc);
  };
  int rc = -1;
  std::string out = run("intact", msgs.out, &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("\"requests_received\": 1"));

  // The exported body says something the signed envelope does not.
  std::string edited = msgs.out;
  size_t at = edited.find("\"title\":\"Keep logs\"");
  ASSERT_NE(at, std::string::npos) << edited;
  edited.replace(at, 19, "\"title\":\"Keep LOGS\"");
  out = run("body", edited, &rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("exported body differs from the signed envelope"));

  // The envelope itself no longer canonical (a space after a colon).
  edited = msgs.out;
  at = edited.find("\\\"kind\\\":");
  ASSERT_NE(at, std::string::npos) << edited;
  edited = edited.substr(0, at + 9) + std::string(1, ' ') + edited.substr(at + 9);
  out = run("envelope", edited, &rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("not in canonical form"));
}

}  // namespace
}  // namespace detente::testing
