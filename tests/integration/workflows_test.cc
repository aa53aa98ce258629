// Requests for assistance and violation reports across real `detente` nodes
// (testing/node_harness.h), driven only through the CLI: `request file` on alpha, `sync`,
// `request ack|respond` on beta, `request close|feedback` on alpha, steps the state machine
// refuses (exit 1, nothing sent), an unknown case (exit 2), `send` refusing workflow kinds, a
// violation report answered and disputed, and `request list|show`, `violation list|show` and
// `scorecard --json` checked on each node (the same scorecard from every holder).
//
// The deadline paths are checked exactly on a base::FakeClock in
// tests/accord/workflows_test.cc; here one test runs the nodes on the fast clock of the
// [clock] configuration (base::ScaledClock, 500 times real time) and checks that serve's ticker
// reminds, escalates to every party once, and never twice. Waiting is by `detente sync` rounds
// (bounded in number, or for the fast clock polled within a bound of real time); no test
// asserts a duration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/base.h"
#include "testing/node_harness.h"
#include "testing/status_matchers.h"

namespace detente::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class NodeWorkflowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Cluster::Create();
    ASSERT_OK(c.status());
    cluster_ = std::move(c).value();
  }

  // alpha, beta, gamma: init, accord, serve, peers. With `clock_speed` > 1 every node runs the
  // fast clock of config.toml's [clock] table from a common epoch (now), so they agree on time.
  void Start(int64_t clock_speed = 1) {
    const std::string epoch = base::SystemClock::Default().Now().FormatMillis();
    for (const std::string& l : all_) {
      ASSERT_OK(cluster_->AddNode(l));
      if (clock_speed > 1) {
        std::ofstream(cluster_->node(l).dir + "/config.toml", std::ios::app)
            << "\n[clock]\nspeed = " << clock_speed << "\nepoch = \"" << epoch << "\"\n";
      }
    }
    ASSERT_OK(cluster_->FormAccord());
    ASSERT_OK(cluster_->ServeAll());
    ASSERT_OK(cluster_->PointAllPeers());
  }
  void TearDown() override {
    if (HasFailure()) cluster_->PrintServeLogTails();
    cluster_.reset();
  }

  // Runs `detente ARGS --dir <label>`, expecting exit code `rc`.
  ProcResult Run(const std::string& label, const std::vector<std::string>& args, int rc = 0,
                 const std::string& input = "") {
    ProcResult r = cluster_->Run(label, args, input);
    EXPECT_EQ(r.rc, rc) << r.Describe() << "\nstdout: " << r.out;
    return r;
  }

  // The same with --json, parsed.
  json::value RunJson(const std::string& label, std::vector<std::string> args) {
    args.push_back("--json");
    ProcResult r = Run(label, args);
    boost::system::error_code ec;
    json::value v = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << r.Describe() << "\nstdout: " << r.out;
    return ec ? json::value(json::object()) : v;
  }

  void SyncAll() { ASSERT_OK(cluster_->SyncUntilDelivered(all_, 10).status()); }

  static std::string Str(const json::value& v, std::string_view member) {
    const json::value* m = v.is_object() ? v.as_object().if_contains(member) : nullptr;
    return m != nullptr && m->is_string() ? std::string(m->as_string()) : "<missing>";
  }
  static int64_t Int(const json::value& v, std::string_view member) {
    const json::value* m = v.is_object() ? v.as_object().if_contains(member) : nullptr;
    return m != nullptr && m->is_int64() ? m->as_int64() : -1;
  }

  // The request `id` in `request list --json` of `label` (null when absent).
  json::value Listed(const std::string& label, const std::string& id) {
    json::value list = RunJson(label, {"request", "list"});
    for (const json::value& r : list.at("requests").as_array()) {
      if (Str(r, "id") == id) return r;
    }
    return nullptr;
  }

  std::unique_ptr<Cluster> cluster_;
  const std::vector<std::string> all_ = {"alpha", "beta", "gamma"};
};

TEST_F(NodeWorkflowsTest, RequestFiledAnsweredAndClosedAcrossNodes) {
  ASSERT_NO_FATAL_FAILURE(Start());
  json::value filed = RunJson("alpha", {"request",
                                        "file",
                                        "--to",
                                        "beta",
                                        "--category",
                                        "preservation",
                                        "--priority",
                                        "high",
                                        "--title",
                                        "Keep logs of 203.0.113.7",
                                        "--description",
                                        "C2 seen on 2026-11-20",
                                        "--legal-basis",
                                        "Accord art. 4",
                                        "--identifier",
                                        "203.0.113.7",
                                        "--identifier",
                                        "198.51.100.9",
                                        "--retention-days",
                                        "90"});
  const std::string id = Str(filed, "id");
  ASSERT_EQ(id.size(), 36u) << filed;
  EXPECT_EQ(Str(filed, "kind"), "request-file");
  EXPECT_NE(Str(filed, "respond_due"), "<missing>");

  // A request missing what its category needs is refused before anything is signed.
  ProcResult bad =
      Run("alpha",
          {"request", "file", "--to", "beta", "--category", "subscriber-info", "--priority", "low",
           "--title", "t", "--description", "d", "--legal-basis", "b", "--identifier", "x"},
          1);
  EXPECT_THAT(bad.err, HasSubstr("/period: required for category subscriber-info"));
  // `send` does not take workflow kinds.
  std::string note = cluster_->scratch() + "/ack.json";
  std::ofstream(note) << "{}";
  ProcResult send = Run("beta", {"send", "--to", "alpha", "--kind", "request-ack", note}, 1);
  EXPECT_THAT(send.err, HasSubstr("detente request"));

  SyncAll();
  json::value at_beta = Listed("beta", id);
  ASSERT_TRUE(at_beta.is_object());
  EXPECT_EQ(Str(at_beta, "state"), "filed");
  EXPECT_EQ(Str(at_beta, "requester"), "alpha");
  EXPECT_EQ(Str(at_beta, "priority"), "high");
  EXPECT_EQ(at_beta.at("overdue"), json::value(false));
  EXPECT_TRUE(Listed("gamma", id).is_null());

  // Refused by the state machine: exit 1 with the reason, nothing sent.
  ProcResult refused = Run("beta", {"request", "close", id, "--resolution", "accepted"}, 1);
  EXPECT_THAT(refused.err, HasSubstr("beta may not send request-close in state filed"));
  EXPECT_THAT(refused.err, HasSubstr("nothing sent"));
  // An unknown case: exit 2.
  ProcResult unknown = Run("beta", {"request", "ack", "00000000-dead"}, 2);
  EXPECT_THAT(unknown.err, HasSubstr("holds no request"));

  // beta acknowledges (by a unique prefix) and answers.
  json::value ack = RunJson("beta", {"request", "ack", id.substr(0, 8), "--note", "on it"});
  EXPECT_EQ(Str(ack, "state"), "acknowledged");
  EXPECT_EQ(Str(ack, "case"), id);
  ProcResult no_reason = Run("beta", {"request", "respond", id, "--outcome", "declined"}, 1);
  EXPECT_THAT(no_reason.err, HasSubstr("reason: required when the outcome is declined"));
  Run("beta", {"request", "respond", id, "--outcome", "completed", "--details", "preserved"});
  SyncAll();
  EXPECT_EQ(Str(Listed("alpha", id), "state"), "responded");

  Run("alpha", {"request", "close", id, "--resolution", "accepted"});
  Run("alpha", {"request", "feedback", id, "--use", "arrest of the operator"});
  SyncAll();

  for (const std::string holder : {"alpha", "beta"}) {
    json::value show = RunJson(holder, {"request", "show", id});
    const json::value& r = show.at("request");
    EXPECT_EQ(Str(r, "state"), "closed") << holder;
    EXPECT_EQ(Str(r, "outcome"), "completed");
    EXPECT_EQ(Str(r, "resolution"), "accepted");
    EXPECT_EQ(Int(r, "feedbacks"), 1);
    std::vector<std::string> kinds;
    for (const json::value& m : show.at("messages").as_array()) kinds.push_back(Str(m, "kind"));
    EXPECT_EQ(kinds, (std::vector<std::string>{"request-file", "request-ack", "request-respond",
                                               "request-close", "request-feedback"}))
        << holder;
    const json::value& file_body = show.at("messages").as_array()[0].at("body");
    EXPECT_EQ(file_body.at("retention_days"), json::value(90));
    EXPECT_EQ(file_body.at("identifiers").as_array().size(), 2u);
  }
  ProcResult table = Run("alpha", {"request", "list"});
  EXPECT_THAT(table.out, HasSubstr(id.substr(0, 8)));
  EXPECT_THAT(table.out, HasSubstr("closed"));
  ProcResult text = Run("beta", {"request", "show", id.substr(0, 8)});
  EXPECT_THAT(text.out, HasSubstr("request-feedback"));
  Run("alpha", {"request", "show", "00000000-0000-4000-8000-000000000000"}, 2);
}

TEST_F(NodeWorkflowsTest, RequestFromAJsonBodyAndListFilters) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::string body_file = cluster_->scratch() + "/req.json";
  std::ofstream(body_file)
      << R"({"category":"takedown","priority":"low","title":"Phishing kit","description":"d",)"
         R"("legal_basis":"art. 7","targets":["https://bad.example/kit"]})";
  json::value filed =
      RunJson("alpha", {"request", "file", "--to", "gamma", "--body", body_file, "--tlp", "green"});
  const std::string id = Str(filed, "id");
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(Str(filed, "tlp"), "green");
  json::value other = RunJson(
      "alpha", {"request", "file", "--to", "beta", "--body", body_file, "--priority", "critical"});
  SyncAll();
  RunJson("gamma", {"request", "respond", id, "--outcome", "no-findings"});
  SyncAll();
  json::value responded = RunJson("alpha", {"request", "list", "--state", "responded"});
  ASSERT_EQ(responded.at("requests").as_array().size(), 1u);
  EXPECT_EQ(Str(responded.at("requests").as_array()[0], "id"), id);
  json::value with_beta = RunJson("alpha", {"request", "list", "--party", "beta"});
  ASSERT_EQ(with_beta.at("requests").as_array().size(), 1u);
  EXPECT_EQ(Str(with_beta.at("requests").as_array()[0], "id"), Str(other, "id"));
  EXPECT_EQ(Str(with_beta.at("requests").as_array()[0], "priority"), "critical");
  // An empty body on stdin is not JSON: exit 1.
  ProcResult empty = Run("alpha", {"request", "file", "--to", "gamma", "--body", "-"}, 1);
  EXPECT_THAT(empty.err, HasSubstr("not JSON"));
}

TEST_F(NodeWorkflowsTest, ViolationReportDeniedAndDisputedAndTheScorecard) {
  ASSERT_NO_FATAL_FAILURE(Start());
  json::value report = RunJson(
      "alpha", {"violation", "report", "--against", "beta", "--commitment", "C1", "--summary",
                "indicators shared five days late", "--evidence", "share 1b4e"});
  const std::string id = Str(report, "id");
  ASSERT_EQ(id.size(), 36u) << report;
  SyncAll();
  // gamma is not accused and holds nothing.
  json::value at_gamma = RunJson("gamma", {"violation", "list"});
  EXPECT_THAT(at_gamma.at("violations").as_array(), IsEmpty());
  ProcResult not_held =
      Run("gamma", {"violation", "respond", id, "--answer", "denied", "--statement", "x"}, 2);
  EXPECT_THAT(not_held.err, HasSubstr("holds no violation report"));
  // The reporter may not answer its own report.
  ProcResult self =
      Run("alpha", {"violation", "respond", id, "--answer", "denied", "--statement", "x"}, 1);
  EXPECT_THAT(self.err, HasSubstr("alpha is not accused"));
  RunJson("beta", {"violation", "respond", id, "--answer", "denied", "--statement",
                   "shared within 24 hours; see our log"});
  SyncAll();
  RunJson("alpha", {"violation", "dispute", id, "--statement", "our receipts show day 5"});
  SyncAll();
  for (const std::string holder : {"alpha", "beta"}) {
    json::value show = RunJson(holder, {"violation", "show", id});
    const json::value& v = show.at("violation");
    EXPECT_EQ(Str(v, "reporter"), "alpha");
    EXPECT_EQ(Str(v, "commitment"), "C1");
    const json::array& entries = v.at("entries").as_array();
    ASSERT_EQ(entries.size(), 2u) << holder;
    EXPECT_EQ(Str(entries[0], "from"), "beta");
    EXPECT_EQ(Str(entries[0], "answer"), "denied");
    EXPECT_EQ(Str(entries[1], "kind"), "violation-dispute");
    EXPECT_EQ(show.at("messages").as_array().size(), 3u);
  }
  ProcResult table = Run("beta", {"violation", "list"});
  EXPECT_THAT(table.out, HasSubstr("beta:denied"));

  // A request answered on time, for the scorecard.
  json::value filed =
      RunJson("gamma", {"request", "file", "--to", "beta", "--category", "other", "--priority",
                        "medium", "--title", "t", "--description", "d", "--legal-basis", "b"});
  SyncAll();
  RunJson("beta", {"request", "respond", Str(filed, "id"), "--outcome", "partial"});
  SyncAll();

  // Every holder of the messages computes the same card at a given instant.
  const std::string at = "2099-01-01T00:00:00Z";
  for (const std::string holder : {"beta", "gamma"}) {
    ProcResult r = Run(holder, {"scorecard", "--at", at, "--json"});
    json::value v = json::parse(r.out);
    EXPECT_EQ(Str(v, "now"), "2099-01-01T00:00:00.000Z");
    const json::array& parties = v.at("parties").as_array();
    ASSERT_EQ(parties.size(), 3u);
    const json::value& beta = parties[1];
    EXPECT_EQ(Str(beta, "party"), "beta");
    EXPECT_EQ(Int(beta, "requests_received"), 1) << holder;
    EXPECT_EQ(Int(beta, "acknowledged"), 1);
    EXPECT_EQ(Int(beta, "acknowledged_on_time"), 1);
    EXPECT_EQ(Int(beta, "responded_on_time"), 1);
    EXPECT_EQ(Int(beta, "overdue_now"), 0);
    EXPECT_EQ(Int(beta, "declined"), 0);
    if (holder == "beta") {
      // Only alpha and beta hold the violation report.
      EXPECT_EQ(Int(beta, "violation_reports_received"), 1);
      EXPECT_EQ(Int(beta, "violation_reports_answered"), 1);
    }
  }
  ProcResult bad_at = Run("alpha", {"scorecard", "--at", "yesterday"}, 2);
  EXPECT_THAT(bad_at.err, HasSubstr("--at"));
  ProcResult table_card = Run("alpha", {"scorecard"});
  EXPECT_THAT(table_card.out, HasSubstr("MEDIAN RESPOND S"));

  for (const std::string& l : all_) {
    auto v = cluster_->Verify(l);
    ASSERT_OK(v.status());
    EXPECT_TRUE(v->ok) << l << ": " << v->text;
  }
}

// The critical acknowledge deadline (3600 s) passes after ~7 s of real time at speed 500; the
// respond deadline (86400 s) is three minutes away, well after the test.
TEST_F(NodeWorkflowsTest, ServeRemindsAndEscalatesToEveryPartyOnTheFastClock) {
  ASSERT_NO_FATAL_FAILURE(Start(500));
  json::value filed = RunJson(
      "alpha", {"request", "file", "--to", "beta", "--category", "other", "--priority", "critical",
                "--title", "Botnet C2", "--description", "d", "--legal-basis", "b"});
  const std::string id = Str(filed, "id");
  ASSERT_EQ(id.size(), 36u) << filed;
  // gamma is not a party to the request: it learns of it only through the hotline.
  // Polled within a bound of real time (the deadline passes after ~7 s; a loaded machine may
  // be slower), a sync round at a time.
  bool escalated = false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!escalated && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cluster_->Sync("alpha");
    json::value list = RunJson("gamma", {"request", "list"});
    for (const json::value& m : list.at("hotline").as_array()) {
      escalated |= Str(m.at("body"), "request") == id;
    }
  }
  ASSERT_TRUE(escalated) << "no escalation reached gamma";
  json::value list = RunJson("gamma", {"request", "list"});
  const json::value& esc = list.at("hotline").as_array()[0];
  EXPECT_EQ(Str(esc, "from"), "alpha");
  EXPECT_EQ(Str(esc.at("body"), "responder"), "beta");
  EXPECT_EQ(Str(esc.at("body"), "priority"), "critical");
  EXPECT_EQ(Str(esc.at("body"), "deadline"), "acknowledge");
  EXPECT_FALSE(esc.at("body").as_object().contains("title"));
  EXPECT_THAT(list.at("requests").as_array(), IsEmpty());

  // More ticks: nothing is sent twice.
  for (int round = 0; round < 5; ++round) cluster_->Sync("alpha");
  SyncAll();
  int reminders = 0, escalations = 0;
  auto msgs = cluster_->Messages("alpha");
  ASSERT_OK(msgs.status());
  for (const MessageView& m : *msgs) {
    if (m.incoming) continue;
    // The acknowledge deadline's (the respond deadline is minutes of real time away).
    const bool ack = m.body.find(R"("deadline":"acknowledge")") != std::string::npos;
    reminders += m.kind == "request-reminder" && ack;
    escalations += m.kind == "request-escalate" && ack;
  }
  EXPECT_LE(reminders, 1);  // at most one (a slow tick may pass 75% and 100% at once)
  EXPECT_EQ(escalations, 1);
  json::value at_beta = RunJson("beta", {"request", "show", id});
  EXPECT_EQ(Int(at_beta.at("request"), "escalations"), 1);
  EXPECT_EQ(at_beta.at("request").at("overdue"), json::value(true));
  json::value card = RunJson("beta", {"scorecard"});
  const json::value& beta = card.at("parties").as_array()[1];
  EXPECT_EQ(Int(beta, "escalations"), 1);
  EXPECT_EQ(Int(beta, "overdue_now"), 1);
  // Answering late still works; nothing more is due.
  RunJson("beta", {"request", "respond", id, "--outcome", "completed"});
  SyncAll();
  EXPECT_EQ(Str(RunJson("alpha", {"request", "show", id}).at("request"), "state"), "responded");
}

}  // namespace
}  // namespace detente::testing
