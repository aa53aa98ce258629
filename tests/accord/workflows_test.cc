// workflows_test.cc: accord::Workflows on three in-process nodes (alpha, beta, gamma), each an
// Exchange on its own database with one base::FakeClock, messages moved between them with
// NextDelivery / Accept / RecordAnswer: every request life-cycle path, refused steps (nothing
// sent), reminders and hotline escalations on the fake clock (exactly once), status reports,
// violation reports side by side, and a scorecard checked by hand. Parametrized over the
// backend (SQLite in accord_workflows_test, PostgreSQL in accord_pg_test).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "accord/accord_test_util.h"

namespace detente::accord {
namespace {

namespace json = boost::json;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;
using Code = base::StatusCode;

constexpr int64_t kSecond = 1'000'000'000;

std::string Str(const json::object& o, std::string_view member) {
  const json::value* v = o.if_contains(member);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "<missing>";
}

// A preservation request body of `priority`.
std::string RequestBody(std::string_view priority = "critical") {
  return R"({"category":"preservation","priority":")" + std::string(priority) +
         R"(","title":"Keep logs of 203.0.113.7","description":"C2 seen on 2026-11-20",)"
         R"("legal_basis":"Accord art. 4","identifiers":["203.0.113.7"],"retention_days":90})";
}

class WorkflowsTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    clock_ = std::make_unique<base::FakeClock>(TestStart());
    accord_ = TestAccord({"alpha", "beta", "gamma"});
    ExchangeOptions options;
    options.clock = clock_.get();
    for (const std::string p : {"alpha", "beta", "gamma"}) {
      auto& n = nodes_[p];
      n = std::make_unique<TestNode>();
      n->party = p;
      ASSERT_OK(n->db.Create(GetParam()));
      auto conn = n->db.Open();
      ASSERT_OK(Exchange::Join(*conn, accord_, p, TestKey(p)));
      auto ex = Exchange::Open(OpenUrl(n->db.url()), p, TestKey(p), options);
      ASSERT_OK(ex.status());
      n->ex = std::move(*ex);
    }
  }

  Exchange& X(const std::string& p) { return *nodes_.at(p)->ex; }
  Workflows W(const std::string& p, WorkflowsOptions o = {}) { return Workflows(X(p), o); }

  void Advance(int64_t seconds) { clock_->AdvanceNanos(seconds * kSecond); }
  // Moves the clock to `seconds` after the start.
  void At(int64_t seconds) { clock_->Set(TestStart().PlusSeconds(seconds)); }

  // Delivers every pending message between every pair of nodes.
  void Sync() {
    for (int round = 0; round < 4; ++round) {
      for (const std::string from : {"alpha", "beta", "gamma"}) {
        for (const std::string to : {"alpha", "beta", "gamma"}) {
          if (from == to) continue;
          auto d = X(from).NextDelivery(to, 100);
          ASSERT_OK(d.status());
          if (d->envelopes.empty()) continue;
          auto a = X(to).Accept(from, *d, HeldOf(X(from), to));
          ASSERT_OK(a.status());
          for (const auto& r : a->results) {
            EXPECT_EQ(r.outcome, AcceptOutcome::kAccepted) << r.error;
          }
          ASSERT_OK(X(from).RecordAnswer(to, *d, *a));
        }
      }
    }
  }

  std::string File(const std::string& from = "alpha", const std::string& to = "beta",
                   std::string_view priority = "critical") {
    auto e = W(from).FileRequest(to, RequestBody(priority));
    EXPECT_OK(e.status());
    return e.ok() ? e->id : "";
  }

  // Sends a step and moves the clock on by a second (so steps never share a millisecond).
  Envelope Step(const std::string& from, const std::string& id, std::string_view kind,
                std::string_view body = "{}") {
    auto e = W(from).Act(id, kind, body);
    EXPECT_OK(e.status()) << kind;
    Advance(1);
    return e.ok() ? *e : Envelope();
  }

  RequestCase Case(const std::string& holder, const std::string& id) {
    auto cases = W(holder).LoadCases();
    EXPECT_OK(cases.status());
    for (const auto& c : cases->requests) {
      if (c.id == id) return c;
    }
    ADD_FAILURE() << holder << " holds no request " << id;
    return {};
  }

  ViolationCase Violation(const std::string& holder, const std::string& id) {
    auto cases = W(holder).LoadCases();
    EXPECT_OK(cases.status());
    for (const auto& c : cases->violations) {
      if (c.id == id) return c;
    }
    ADD_FAILURE() << holder << " holds no violation report " << id;
    return {};
  }

  // Messages `p` sent, of `kind`.
  std::vector<Message> Sent(const std::string& p, std::string_view kind) {
    std::vector<Message> out;
    auto all = X(p).Messages(100000);
    EXPECT_OK(all.status());
    for (auto& m : *all) {
      if (m.outgoing && m.kind == kind) out.push_back(std::move(m));
    }
    return out;
  }

  uint64_t LogSize(const std::string& p) {
    EXPECT_OK(X(p).log().Reload());
    return X(p).log().size();
  }

  std::unique_ptr<base::FakeClock> clock_;
  Accord accord_;
  std::map<std::string, std::unique_ptr<TestNode>> nodes_;
};

// ---- filing ---------------------------------------------------------------------------------

TEST_P(WorkflowsTest, FiledRequestOpensTheSameCaseOnBothNodes) {
  std::string id = File();
  Sync();
  for (const std::string p : {"alpha", "beta"}) {
    RequestCase c = Case(p, id);
    EXPECT_EQ(c.requester, "alpha");
    EXPECT_EQ(c.responder, "beta");
    EXPECT_EQ(c.category, "preservation");
    EXPECT_EQ(c.priority, "critical");
    EXPECT_EQ(c.state, RequestState::kFiled);
    EXPECT_EQ(c.acknowledge_due, TestStart().PlusSeconds(3600));
    EXPECT_EQ(c.respond_due, TestStart().PlusSeconds(86400));
  }
  // gamma is not a party to the request and receives nothing.
  auto gamma = W("gamma").LoadCases();
  ASSERT_OK(gamma.status());
  EXPECT_TRUE(gamma->requests.empty());
  auto sent = Sent("alpha", kRequestFile);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, std::vector<std::string>{"beta"});
  EXPECT_EQ(sent[0].tlp, "amber");  // the accord's default
}

TEST_P(WorkflowsTest, FileRequestRefusesSelfUnknownPartyAndBadBody) {
  EXPECT_THAT(W("alpha").FileRequest("alpha", RequestBody()),
              StatusIs(Code::kInvalidArgument, HasSubstr("itself")));
  EXPECT_THAT(W("alpha").FileRequest("delta", RequestBody()),
              StatusIs(Code::kInvalidArgument, HasSubstr("\"delta\" is not a party")));
  EXPECT_THAT(
      W("alpha").FileRequest("beta", R"({"category":"preservation","priority":"high",)"
                                     R"("title":"t","description":"d","legal_basis":"b"})"),
      StatusIs(Code::kInvalidArgument,
               HasSubstr("request-file body /identifiers: required for category preservation")));
  EXPECT_THAT(W("alpha").FileRequest("beta", "[1]"),
              StatusIs(Code::kInvalidArgument, HasSubstr("not an object")));
  EXPECT_THAT(W("alpha").FileRequest("beta", RequestBody(), "purple"),
              StatusIs(Code::kInvalidArgument, HasSubstr("tlp")));
  EXPECT_EQ(LogSize("alpha"), 1u);  // genesis only
}

TEST_P(WorkflowsTest, FileRequestKeepsTheGivenTlpForEveryStep) {
  auto e = W("alpha").FileRequest("beta", RequestBody(), "red");
  ASSERT_OK(e.status());
  EXPECT_EQ(e->tlp, "red");
  Sync();
  Envelope ack = Step("beta", e->id, kRequestAck);
  EXPECT_EQ(ack.tlp, "red");
}

// ---- life cycles ----------------------------------------------------------------------------

TEST_P(WorkflowsTest, AcknowledgeRespondCloseAcceptedAndFeedback) {
  std::string id = File();
  Advance(60);
  Sync();
  Envelope ack = Step("beta", id, kRequestAck, R"({"note":"on it"})");
  EXPECT_EQ(ack.to, std::vector<std::string>{"alpha"});
  EXPECT_EQ(ack.refs, std::vector<std::string>{id});
  Sync();
  EXPECT_EQ(Case("alpha", id).state, RequestState::kAcknowledged);
  Step("beta", id, kRequestRespond, R"({"outcome":"completed","data":"preserved"})");
  Sync();
  Envelope close = Step("alpha", id, kRequestClose, R"({"resolution":"accepted"})");
  EXPECT_EQ(close.to, std::vector<std::string>{"beta"});
  Step("alpha", id, kRequestFeedback, R"({"use":"arrest of the operator"})");
  Sync();
  for (const std::string p : {"alpha", "beta"}) {
    RequestCase c = Case(p, id);
    EXPECT_EQ(c.state, RequestState::kClosed) << p;
    EXPECT_EQ(c.outcome, "completed");
    EXPECT_EQ(c.resolution, "accepted");
    EXPECT_EQ(c.feedbacks, 1);
    EXPECT_EQ(c.acknowledged, TestStart().PlusSeconds(60));
    ASSERT_EQ(c.history.size(), 5u);
    EXPECT_EQ(c.history[0].kind, kRequestFile);
    EXPECT_EQ(c.history[4].kind, kRequestFeedback);
  }
}

TEST_P(WorkflowsTest, EveryResponseOutcomeIsRecordedAndDeclinedNeedsAReason) {
  for (std::string outcome : {"completed", "partial", "no-findings", "declined"}) {
    std::string id = File();
    Advance(1);
    Sync();
    std::string body = R"({"outcome":")" + outcome + R"("})";
    if (outcome == "declined") {
      uint64_t before = LogSize("beta");
      EXPECT_THAT(W("beta").Act(id, kRequestRespond, body),
                  StatusIs(Code::kInvalidArgument,
                           HasSubstr("/reason: required when the outcome is declined")));
      EXPECT_EQ(LogSize("beta"), before);
      body = R"({"outcome":"declined","reason":"outside our jurisdiction"})";
    }
    Step("beta", id, kRequestRespond, body);
    Sync();
    RequestCase c = Case("alpha", id);
    EXPECT_EQ(c.state, RequestState::kResponded) << outcome;
    EXPECT_EQ(c.outcome, outcome);
    EXPECT_TRUE(c.acknowledged.has_value());  // an answer acknowledges
  }
}

TEST_P(WorkflowsTest, InformationNeededStopsTheRespondClock) {
  std::string id = File("alpha", "beta", "high");  // 14400 / 259200
  Advance(100);
  Sync();
  Step("beta", id, kRequestAck);
  Step("beta", id, kRequestInfoNeeded, R"({"question":"which time zone?"})");
  Sync();
  EXPECT_EQ(Case("alpha", id).state, RequestState::kInfoNeeded);
  // The requester may not close, the responder may not answer while it waits.
  EXPECT_THAT(W("beta").Act(id, kRequestRespond, R"({"outcome":"completed"})"),
              StatusIs(Code::kFailedPrecondition,
                       HasSubstr("beta may not send request-respond in state info-needed")));
  Advance(999);  // with the second the step above moved the clock on: 1000 s waited
  Step("alpha", id, kRequestInfo, R"({"answer":"UTC"})");
  Sync();
  for (const std::string p : {"alpha", "beta"}) {
    RequestCase c = Case(p, id);
    EXPECT_EQ(c.state, RequestState::kAcknowledged);
    EXPECT_EQ(c.respond_due, TestStart().PlusSeconds(259200 + 1000)) << p;
  }
  Step("beta", id, kRequestRespond, R"({"outcome":"partial"})");
  Sync();
  EXPECT_EQ(Case("alpha", id).state, RequestState::kResponded);
}

TEST_P(WorkflowsTest, CloseDisputed) {
  std::string id = File();
  Advance(1);
  Sync();
  Step("beta", id, kRequestRespond, R"({"outcome":"no-findings"})");
  Sync();
  Step("alpha", id, kRequestClose, R"({"resolution":"disputed","statement":"logs exist"})");
  Sync();
  RequestCase c = Case("beta", id);
  EXPECT_EQ(c.state, RequestState::kClosed);
  EXPECT_EQ(c.resolution, "disputed");
}

TEST_P(WorkflowsTest, WithdrawEndsTheCaseAndNothingFollows) {
  std::string id = File();
  Advance(1);
  Sync();
  Step("beta", id, kRequestAck);
  Sync();
  Step("alpha", id, kRequestWithdraw, R"({"reason":"solved otherwise"})");
  Sync();
  EXPECT_EQ(Case("beta", id).state, RequestState::kWithdrawn);
  EXPECT_THAT(W("beta").Act(id, kRequestRespond, R"({"outcome":"completed"})"),
              StatusIs(Code::kFailedPrecondition, HasSubstr("in state withdrawn")));
  // Nothing is due on a withdrawn case, however late.
  Advance(10 * 86400);
  auto due = W("alpha").RunDue();
  ASSERT_OK(due.status());
  EXPECT_TRUE(due->sent.empty());
}

TEST_P(WorkflowsTest, EitherSideMaySendAStatusReport) {
  std::string id = File();
  Advance(1);
  Sync();
  Envelope from_beta = Step("beta", id, kRequestStatus, R"({"status":"looking"})");
  EXPECT_EQ(from_beta.to, std::vector<std::string>{"alpha"});
  Envelope from_alpha = Step("alpha", id, kRequestStatus, R"({"status":"any news?"})");
  EXPECT_EQ(from_alpha.to, std::vector<std::string>{"beta"});
  Sync();
  EXPECT_EQ(Case("beta", id).history.size(), 3u);
  EXPECT_EQ(Case("beta", id).state, RequestState::kFiled);
}

// ---- refused steps --------------------------------------------------------------------------

TEST_P(WorkflowsTest, RefusedStepsSendNothing) {
  std::string id = File();
  Advance(1);
  Sync();
  const uint64_t alpha_size = LogSize("alpha"), beta_size = LogSize("beta");
  // Wrong party.
  EXPECT_THAT(W("alpha").Act(id, kRequestAck, "{}"),
              StatusIs(Code::kFailedPrecondition,
                       HasSubstr("alpha may not send request-ack in state filed")));
  // Wrong state.
  EXPECT_THAT(W("alpha").Act(id, kRequestClose, R"({"resolution":"accepted"})"),
              StatusIs(Code::kFailedPrecondition,
                       HasSubstr("alpha may not send request-close in state filed")));
  EXPECT_THAT(W("beta").Act(id, kRequestInfoNeeded, R"({"question":"?"})"),
              StatusIs(Code::kFailedPrecondition, HasSubstr("in state filed")));
  // An escalation before the deadline.
  EXPECT_THAT(W("alpha").Act(id, kRequestEscalate, R"({"deadline":"acknowledge"})"),
              StatusIs(Code::kFailedPrecondition, HasSubstr("before it passed")));
  // Bad bodies and kinds.
  EXPECT_THAT(W("alpha").Act(id, kRequestClose, R"({"resolution":"maybe"})"),
              StatusIs(Code::kInvalidArgument, HasSubstr("/resolution")));
  EXPECT_THAT(W("alpha").Act(id, kRequestFile, RequestBody()),
              StatusIs(Code::kInvalidArgument, HasSubstr("not a later step")));
  EXPECT_THAT(W("alpha").Act(id, "note", "{}"),
              StatusIs(Code::kInvalidArgument, HasSubstr("not a later step")));
  EXPECT_THAT(W("alpha").Act(id, kViolationDispute, R"({"statement":"x"})"),
              StatusIs(Code::kInvalidArgument, HasSubstr("is a request")));
  EXPECT_THAT(W("alpha").Act(id, kRequestStatus, "not json"),
              StatusIs(Code::kInvalidArgument, HasSubstr("not JSON")));
  // Unknown case; a party that does not hold it.
  EXPECT_THAT(
      W("alpha").Act("00000000-0000-4000-8000-000000000000", kRequestStatus, R"({"status":"x"})"),
      StatusIs(Code::kNotFound, HasSubstr("no request")));
  EXPECT_THAT(W("gamma").Act(id, kRequestStatus, R"({"status":"x"})"),
              StatusIs(Code::kNotFound, HasSubstr("no request")));
  EXPECT_EQ(LogSize("alpha"), alpha_size);
  EXPECT_EQ(LogSize("beta"), beta_size);
  auto und = X("alpha").Undelivered();
  ASSERT_OK(und.status());
  EXPECT_TRUE(und->empty());
}

TEST_P(WorkflowsTest, AStepStampedBeforeTheCasesLastMessageIsRefused) {
  At(100);
  std::string id = File();
  Sync();
  const uint64_t beta_size = LogSize("beta");  // genesis and the request's receipt
  At(50);                                      // beta's clock is behind alpha's
  EXPECT_THAT(W("beta").Act(id, kRequestAck, "{}"),
              StatusIs(Code::kFailedPrecondition, HasSubstr("check the node's clock")));
  EXPECT_EQ(LogSize("beta"), beta_size);
  At(101);
  Step("beta", id, kRequestAck);
  Sync();
  EXPECT_EQ(Case("alpha", id).state, RequestState::kAcknowledged);
}

// ---- reminders, escalations, status reports --------------------------------------------------

TEST_P(WorkflowsTest, ReminderAtThreeQuartersThenEscalationToEveryPartyExactlyOnce) {
  std::string id = File();  // critical: acknowledge 3600 s, respond 86400 s
  Sync();
  auto run = [&] {
    auto r = W("alpha").RunDue();
    EXPECT_OK(r.status());
    if (r.ok()) {
      for (const auto& e : r->errors) ADD_FAILURE() << e;
    }
    return r.ok() ? r->sent.size() : size_t{999};
  };
  EXPECT_EQ(run(), 0u);
  At(2699);
  EXPECT_EQ(run(), 0u);
  At(2700);  // 75% of 3600 s
  EXPECT_EQ(run(), 1u);
  EXPECT_EQ(run(), 0u);
  auto reminders = Sent("alpha", kRequestReminder);
  ASSERT_EQ(reminders.size(), 1u);
  EXPECT_EQ(reminders[0].to, std::vector<std::string>{"beta"});
  EXPECT_EQ(reminders[0].refs, std::vector<std::string>{id});
  EXPECT_THAT(reminders[0].body, HasSubstr(R"("deadline":"acknowledge")"));
  At(3599);
  EXPECT_EQ(run(), 0u);
  At(3600);
  EXPECT_EQ(run(), 1u);
  EXPECT_EQ(run(), 0u);
  At(3700);
  EXPECT_EQ(run(), 0u);
  auto escalations = Sent("alpha", kRequestEscalate);
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].to, (std::vector<std::string>{"beta", "gamma"}));
  json::object body = json::parse(escalations[0].body).as_object();
  EXPECT_EQ(Str(body, "deadline"), "acknowledge");
  EXPECT_EQ(Str(body, "request"), id);
  EXPECT_EQ(Str(body, "requester"), "alpha");
  EXPECT_EQ(Str(body, "responder"), "beta");
  EXPECT_EQ(Str(body, "priority"), "critical");
  EXPECT_EQ(Str(body, "category"), "preservation");
  EXPECT_EQ(Str(body, "due"), TestStart().PlusSeconds(3600).FormatMillis());
  EXPECT_FALSE(body.contains("title"));  // the hotline sees no content

  // The respond deadline: a reminder at 75% of 86400 s, the escalation when it passes.
  At(64799);
  EXPECT_EQ(run(), 0u);
  At(64800);
  EXPECT_EQ(run(), 1u);
  At(86400);
  EXPECT_EQ(run(), 1u);
  EXPECT_EQ(run(), 0u);
  EXPECT_EQ(Sent("alpha", kRequestReminder).size(), 2u);
  EXPECT_EQ(Sent("alpha", kRequestEscalate).size(), 2u);

  Sync();
  // beta holds the case with both escalations; gamma holds the escalations only.
  RequestCase c = Case("beta", id);
  EXPECT_EQ(c.escalations, 2);
  EXPECT_TRUE(c.acknowledge_escalated);
  EXPECT_TRUE(c.respond_escalated);
  auto gamma = W("gamma").LoadCases();
  ASSERT_OK(gamma.status());
  EXPECT_TRUE(gamma->requests.empty());
  ASSERT_EQ(gamma->rejected.size(), 2u);
  EXPECT_THAT(gamma->rejected[0].second, HasSubstr("unknown case " + id));
  auto held = X("gamma").Messages();
  ASSERT_OK(held.status());
  int escalations_at_gamma = 0;
  for (const auto& m : *held) escalations_at_gamma += m.kind == kRequestEscalate;
  EXPECT_EQ(escalations_at_gamma, 2);
  // Once escalated, a second escalation by hand is refused.
  EXPECT_THAT(W("alpha").Act(id, kRequestEscalate, R"({"deadline":"respond"})"),
              StatusIs(Code::kFailedPrecondition, HasSubstr("already escalated")));
}

TEST_P(WorkflowsTest, NothingIsDueOnceTheDeadlineIsMet) {
  std::string id = File();
  Sync();
  At(2700);
  ASSERT_OK(W("alpha").RunDue().status());  // the acknowledge reminder
  At(3000);
  Step("beta", id, kRequestAck);
  Sync();
  At(5000);
  auto due = W("alpha").RunDue();
  ASSERT_OK(due.status());
  EXPECT_TRUE(due->sent.empty());
  At(64800);
  due = W("alpha").RunDue();
  ASSERT_OK(due.status());
  ASSERT_EQ(due->sent.size(), 1u);  // the respond reminder
  auto reminder = X("alpha").FindMessage(due->sent[0]);
  ASSERT_OK(reminder.status());
  EXPECT_THAT((*reminder)->body, HasSubstr(R"("deadline":"respond")"));
}

TEST_P(WorkflowsTest, EscalationAfterALongOutageSkipsTheReminder) {
  std::string id = File();
  Sync();
  At(4000);  // the node was down through the reminder time
  auto due = W("alpha").RunDue();
  ASSERT_OK(due.status());
  ASSERT_EQ(due->sent.size(), 1u);
  EXPECT_EQ(Sent("alpha", kRequestEscalate).size(), 1u);
  EXPECT_TRUE(Sent("alpha", kRequestReminder).empty());
  EXPECT_EQ(Case("alpha", id).escalations, 1);
}

TEST_P(WorkflowsTest, ResponderSendsAStatusReportEveryIntervalWhileOpen) {
  WorkflowsOptions o;
  o.status_interval_s = 3600;
  std::string id = File("alpha", "beta", "low");  // 259200 / 2592000: no reminders in play
  Sync();
  auto run = [&] {
    auto r = W("beta", o).RunDue();
    EXPECT_OK(r.status());
    return r.ok() ? r->sent.size() : size_t{999};
  };
  At(3599);
  EXPECT_EQ(run(), 0u);
  At(3600);
  EXPECT_EQ(run(), 1u);
  EXPECT_EQ(run(), 0u);
  At(7199);
  EXPECT_EQ(run(), 0u);
  At(7200);
  EXPECT_EQ(run(), 1u);
  At(20000);  // after a long pause: one report, not three
  EXPECT_EQ(run(), 1u);
  EXPECT_EQ(run(), 0u);
  auto reports = Sent("beta", kRequestStatus);
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].to, std::vector<std::string>{"alpha"});
  EXPECT_THAT(reports[0].body, HasSubstr(R"("state":"filed")"));
  // Once answered, nothing more.
  Step("beta", id, kRequestRespond, R"({"outcome":"completed"})");
  At(40000);
  EXPECT_EQ(run(), 0u);
  Sync();
  EXPECT_EQ(Case("alpha", id).history.size(), 5u);
  // The requester's node sends no status reports; default options send none this early.
  auto alpha_due = W("alpha", o).RunDue();
  ASSERT_OK(alpha_due.status());
  EXPECT_TRUE(alpha_due->sent.empty());
}

TEST_P(WorkflowsTest, TickRunsTheDueActions) {
  File();
  Sync();
  At(3600);
  auto r = W("alpha").Tick();
  ASSERT_OK(r.status());
  EXPECT_EQ(r->sent.size(), 1u);  // the acknowledge escalation (its reminder was skipped)
  EXPECT_TRUE(r->errors.empty());
}

// ---- violation reports ----------------------------------------------------------------------

TEST_P(WorkflowsTest, ViolationReportAnswersAndDisputesStandSideBySide) {
  std::vector<std::string> accused = {"beta", "gamma"};
  auto report = W("alpha").ReportViolation(
      accused, R"({"commitment":"C1","summary":"indicators shared after 5 days",)"
               R"("evidence":["share 1b4e"],"attribution":"beta's CERT"})");
  ASSERT_OK(report.status());
  EXPECT_EQ(report->to, accused);
  std::string id = report->id;
  Advance(1);
  Sync();
  Envelope denied = Step("beta", id, kViolationResponse,
                         R"({"answer":"denied","statement":"shared within 24 h"})");
  EXPECT_EQ(denied.to, (std::vector<std::string>{"alpha", "gamma"}));
  Envelope ack = Step("gamma", id, kViolationResponse,
                      R"({"answer":"acknowledged","statement":"we were late"})");
  Sync();
  Envelope dispute =
      Step("alpha", id, kViolationDispute, R"({"statement":"our receipts show day 5"})");
  EXPECT_EQ(dispute.to, accused);
  Sync();
  for (const std::string p : {"alpha", "beta", "gamma"}) {
    ViolationCase v = Violation(p, id);
    EXPECT_EQ(v.reporter, "alpha");
    EXPECT_EQ(v.accused, accused);
    EXPECT_EQ(v.commitment, "C1");
    ASSERT_EQ(v.entries.size(), 3u) << p;
    EXPECT_EQ(v.entries[0].from, "beta");
    EXPECT_EQ(v.entries[0].answer, "denied");
    EXPECT_EQ(v.entries[1].from, "gamma");
    EXPECT_EQ(v.entries[1].answer, "acknowledged");
    EXPECT_EQ(v.entries[2].kind, kViolationDispute);
  }
  // The reporter does not answer its own report; an unknown answer is refused.
  EXPECT_THAT(W("alpha").Act(id, kViolationResponse, R"({"answer":"denied","statement":"x"})"),
              StatusIs(Code::kFailedPrecondition, HasSubstr("alpha is not accused")));
  EXPECT_THAT(W("beta").Act(id, kViolationResponse, R"({"answer":"maybe","statement":"x"})"),
              StatusIs(Code::kInvalidArgument, HasSubstr("/answer")));
  EXPECT_THAT(W("beta").Act(id, kRequestAck, "{}"),
              StatusIs(Code::kInvalidArgument, HasSubstr("is a violation report")));
}

TEST_P(WorkflowsTest, ViolationReportRefusesUnknownCommitmentAndParties) {
  std::vector<std::string> beta = {"beta"};
  std::string body = R"({"commitment":"C9","summary":"s","evidence":[]})";
  EXPECT_THAT(W("alpha").ReportViolation(beta, body),
              StatusIs(Code::kInvalidArgument, HasSubstr("\"C9\" is not a commitment")));
  std::vector<std::string> self = {"alpha"};
  EXPECT_THAT(
      W("alpha").ReportViolation(self, R"({"commitment":"C1","summary":"s","evidence":[]})"),
      StatusIs(Code::kInvalidArgument, HasSubstr("itself")));
  std::vector<std::string> none;
  EXPECT_THAT(
      W("alpha").ReportViolation(none, R"({"commitment":"C1","summary":"s","evidence":[]})"),
      StatusIs(Code::kInvalidArgument, HasSubstr("no accused")));
  EXPECT_EQ(LogSize("alpha"), 1u);
}

// ---- the scorecard --------------------------------------------------------------------------

TEST_P(WorkflowsTest, ScorecardFiguresMatchAHandCount) {
  // A: critical (3600 / 86400), acknowledged after 600 s, answered after 3000 s: on time.
  std::string a = File("alpha", "beta", "critical");
  At(600);
  Sync();
  Step("beta", a, kRequestAck);
  // B: high (14400 / 259200) filed at 1000 s, declined at 20000 s: the implied
  // acknowledgement after 19000 s is late, the answer on time.
  At(1000);
  std::string b = File("alpha", "beta", "high");
  At(3000);
  Sync();
  Step("beta", a, kRequestRespond, R"({"outcome":"completed"})");
  At(20000);
  Step("beta", b, kRequestRespond, R"({"outcome":"declined","reason":"no legal basis"})");
  // C: critical filed at 20001 s, never answered: escalated at 23601 s, overdue.
  At(20001);
  std::string c = File("alpha", "beta", "critical");
  // A violation report against beta, answered.
  std::vector<std::string> beta = {"beta"};
  auto v =
      W("alpha").ReportViolation(beta, R"({"commitment":"C1","summary":"late","evidence":[]})");
  ASSERT_OK(v.status());
  At(20002);
  Sync();
  Step("beta", v->id, kViolationResponse, R"({"answer":"investigating","statement":"looking"})");
  At(23601);
  auto due = W("alpha").RunDue();
  ASSERT_OK(due.status());
  EXPECT_EQ(due->sent.size(), 1u);
  Sync();
  At(23700);

  for (const std::string holder : {"alpha", "beta"}) {
    auto scores = W(holder).Scorecard();
    ASSERT_OK(scores.status());
    ASSERT_EQ(scores->size(), 3u);
    const PartyScore& s = (*scores)[1];
    EXPECT_EQ(s.party, "beta");
    EXPECT_EQ(s.requests_received, 3) << holder;
    EXPECT_EQ(s.acknowledged, 2);
    EXPECT_EQ(s.acknowledged_on_time, 1);
    EXPECT_EQ(s.responded, 2);
    EXPECT_EQ(s.responded_on_time, 2);
    ASSERT_TRUE(s.median_acknowledge_s.has_value());
    EXPECT_DOUBLE_EQ(*s.median_acknowledge_s, (600.0 + 19000.0) / 2);
    ASSERT_TRUE(s.median_respond_s.has_value());
    EXPECT_DOUBLE_EQ(*s.median_respond_s, (3000.0 + 19000.0) / 2);
    EXPECT_EQ(s.overdue_now, 1);
    EXPECT_EQ(s.escalations, 1);
    EXPECT_EQ(s.declined, 1);
    EXPECT_EQ(s.violation_reports_received, 1);
    EXPECT_EQ(s.violation_reports_answered, 1);
    const PartyScore& alpha = (*scores)[0];
    EXPECT_EQ(alpha.party, "alpha");
    EXPECT_EQ(alpha.requests_received, 0);
    EXPECT_FALSE(alpha.median_acknowledge_s.has_value());
    EXPECT_EQ((*scores)[2].party, "gamma");
  }
  // Both holders compute the same card.
  auto from_alpha = W("alpha").Scorecard();
  auto from_beta = W("beta").Scorecard();
  ASSERT_OK(from_alpha.status());
  ASSERT_OK(from_beta.status());
  EXPECT_EQ(ScorecardJson(*from_alpha), ScorecardJson(*from_beta));
  (void)c;
}

// ---- two senders on one node (R3) -------------------------------------------------------------

// A clock that runs `hook` once, at the first Now() after Arm(): in RunDue, after the cases are
// read and before anything is signed, the moment another process could send the same step.
class HookClock final : public base::Clock {
 public:
  explicit HookClock(const base::Clock& base) : base_(base) {}
  base::Timestamp Now() const override {
    if (auto hook = std::exchange(hook_, nullptr)) hook();
    return base_.Now();
  }
  void Arm(std::function<void()> hook) { hook_ = std::move(hook); }

 private:
  const base::Clock& base_;
  mutable std::function<void()> hook_;
};

TEST_P(WorkflowsTest, EscalationByHandRacingTheTickerIsSentOnce) {
  std::string id = File();
  Sync();
  At(3600);  // the acknowledge deadline passes
  // serve's ticker and a `detente request escalate` are two exchanges on alpha's database.
  HookClock ticker_clock(*clock_);
  auto ticker = OpenExchange(nodes_.at("alpha")->db.url(), "alpha", &ticker_clock);
  auto cli = OpenExchange(nodes_.at("alpha")->db.url(), "alpha", clock_.get());
  ASSERT_TRUE(ticker && cli);
  ticker_clock.Arm([&] {
    EXPECT_OK(Workflows(*cli).Act(id, kRequestEscalate, R"({"deadline":"acknowledge"})").status());
  });
  auto r = Workflows(*ticker).RunDue();
  ASSERT_OK(r.status());
  EXPECT_TRUE(r->sent.empty());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_THAT(r->errors[0], HasSubstr("already escalated"));
  EXPECT_THAT(r->errors[0], HasSubstr("sent a step of this case meanwhile"));
  EXPECT_EQ(Sent("alpha", kRequestEscalate).size(), 1u);
  Sync();
  EXPECT_EQ(Case("beta", id).escalations, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkflowsTest, ::testing::ValuesIn(store::TestBackends()),
                         store::BackendName);

}  // namespace
}  // namespace detente::accord
