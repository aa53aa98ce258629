// Tests of accord/workflow.h: request life cycle, deadlines, reminders and escalation on an
// explicit "now", violation reports, and the scorecard against hand-computed figures.
#include "accord/workflow.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace detente::accord {
namespace {

using base::Timestamp;
using ::detente::testing::IsOk;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

Timestamp At(int64_t seconds) { return Timestamp::FromUnixSeconds(1'800'000'000 + seconds); }

const char kPreservation[] =
    R"({"category":"preservation","priority":"high","title":"Keep logs of 203.0.113.7",)"
    R"("description":"Botnet C2","legal_basis":"Art. 16","identifiers":["203.0.113.7"],)"
    R"("retention_days":90})";

WorkflowMessage Msg(std::string id, std::string from, std::vector<std::string> to,
                    std::string_view kind, int64_t at, std::vector<std::string> refs,
                    std::string body) {
  WorkflowMessage m;
  m.id = std::move(id);
  m.from = std::move(from);
  m.to = std::move(to);
  m.kind = std::string(kind);
  m.created = At(at);
  m.refs = std::move(refs);
  m.body = std::move(body);
  return m;
}

const Deadlines kHigh{3600, 86400};

RequestCase Filed() {
  auto c = OpenRequest(Msg("r1", "alpha", {"beta"}, kRequestFile, 0, {}, kPreservation), kHigh);
  EXPECT_THAT(c.status(), IsOk());
  return *c;
}

struct BodyCase {
  std::string_view kind;
  std::string body;
  std::string error;  // "" = valid
};

TEST(WorkflowBodyTest, RequiredFieldsPerKindAndCategory) {
  const BodyCase cases[] = {
      {kRequestFile, kPreservation, ""},
      {kRequestFile, R"({"category":"preservation","priority":"high","title":"t",)"
                     R"("description":"d","legal_basis":"b","retention_days":5})",
       "/identifiers: required for category preservation"},
      {kRequestFile, R"({"category":"traffic-data","priority":"low","title":"t",)"
                     R"("description":"d","legal_basis":"b","identifiers":["x"],)"
                     R"("period":{"start":"2026-01-02T00:00:00Z","end":"2026-01-01T00:00:00Z"}})",
       "/period: end is before start"},
      {kRequestFile, R"({"category":"gossip","priority":"low","title":"t"})",
       "/category: \"gossip\" is not one of"},
      {kRequestFile, R"({"category":"other","priority":"urgent","title":"t"})",
       "/priority: \"urgent\" is not one of"},
      {kRequestFile, R"({"category":"other","priority":"low","title":"t","description":"d"})",
       "/legal_basis: required"},
      {kRequestFile, R"({"category":"takedown","priority":"low","title":"t",)"
                     R"("description":"d","legal_basis":"b","targets":[]})",
       "/targets: must be a non-empty array"},
      {kRequestFile, "[1]", "body: not an object"},
      {kRequestFile, "{", "body: not JSON"},
      {kRequestRespond, R"({"outcome":"declined"})", "/reason: required when the outcome"},
      {kRequestRespond, R"({"outcome":"declined","reason":"no legal basis"})", ""},
      {kRequestRespond, R"({"outcome":"maybe"})", "/outcome: \"maybe\" is not one of"},
      {kRequestClose, R"({"resolution":"accepted"})", ""},
      {kRequestClose, R"({"resolution":"fine"})", "/resolution"},
      {kRequestEscalate, R"({"deadline":"respond"})", ""},
      {kRequestInfoNeeded, R"({})", "/question: required"},
      {kViolationReport, R"({"commitment":"C9","summary":"s","evidence":[]})",
       "/commitment: \"C9\" is not a commitment of the accord"},
      {kViolationReport, R"({"commitment":"C1","summary":"s","evidence":[]})", ""},
      {kViolationResponse, R"({"answer":"denied","statement":"not us"})", ""},
      {kViolationResponse, R"({"answer":"guilty","statement":"x"})", "/answer"},
      {"note", "not even json", ""},  // not a workflow kind: not checked here
  };
  const std::vector<std::string> commitments = {"C1", "C2"};
  for (const BodyCase& c : cases) {
    SCOPED_TRACE(std::string(c.kind) + " " + c.body);
    base::Status s = ValidateWorkflowBody(c.kind, c.body, commitments);
    if (c.error.empty()) {
      EXPECT_THAT(s, IsOk());
    } else {
      EXPECT_THAT(s, StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(c.error)));
    }
  }
}

TEST(RequestTest, DeadlinesComeFromThePriority) {
  RequestCase c = Filed();
  EXPECT_EQ(c.requester, "alpha");
  EXPECT_EQ(c.responder, "beta");
  EXPECT_EQ(c.category, "preservation");
  EXPECT_EQ(c.acknowledge_due, At(3600));
  EXPECT_EQ(c.respond_due, At(86400));
  EXPECT_EQ(c.state, RequestState::kFiled);
}

TEST(RequestTest, RequestToTwoPartiesIsRejected) {
  EXPECT_THAT(OpenRequest(Msg("r", "alpha", {"beta", "gamma"}, kRequestFile, 0, {},
                              kPreservation),
                          kHigh)
                  .status(),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("exactly one party")));
}

// Found by fuzz/workflow_cases: filed + respond_s overflowed int64 nanoseconds (UB) for
// deadlines of more than ~292 years; they are refused as invalid instead.
TEST(RequestTest, DeadlineLongerThanTenYearsIsRejected) {
  const Deadlines huge{3600, int64_t{7'283'093'156'739'312'258}};
  EXPECT_THAT(OpenRequest(Msg("r", "alpha", {"beta"}, kRequestFile, 0, {}, kPreservation), huge)
                  .status(),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("invalid deadlines")));
  const Deadlines ten_years{3600, kMaxDeadlineSeconds};
  EXPECT_THAT(OpenRequest(Msg("r", "alpha", {"beta"}, kRequestFile, 0, {}, kPreservation),
                          ten_years)
                  .status(),
              IsOk());
}

TEST(RequestTest, FullLifeCycle) {
  RequestCase c = Filed();
  ASSERT_OK(ApplyToRequest(c, Msg("m1", "beta", {"alpha"}, kRequestAck, 60, {"r1"}, "{}")));
  ASSERT_OK(ApplyToRequest(c, Msg("m2", "beta", {"alpha"}, kRequestInfoNeeded, 120, {"r1"},
                               R"({"question":"which port?"})")));
  EXPECT_EQ(c.state, RequestState::kInfoNeeded);
  ASSERT_OK(ApplyToRequest(c, Msg("m3", "alpha", {"beta"}, kRequestInfo, 1120, {"r1"},
                               R"({"answer":"443"})")));
  // The 1,000 s spent waiting for the answer do not count against the responder.
  EXPECT_EQ(c.respond_due, At(86400 + 1000));
  ASSERT_OK(ApplyToRequest(c, Msg("m4", "beta", {"alpha"}, kRequestRespond, 5000, {"r1"},
                               R"({"outcome":"completed"})")));
  ASSERT_OK(ApplyToRequest(c, Msg("m5", "alpha", {"beta"}, kRequestClose, 6000, {"r1"},
                               R"({"resolution":"accepted"})")));
  ASSERT_OK(ApplyToRequest(c, Msg("m6", "alpha", {"beta"}, kRequestFeedback, 7000, {"r1"},
                               R"({"use":"blocked at the border"})")));
  EXPECT_EQ(c.state, RequestState::kClosed);
  EXPECT_EQ(c.outcome, "completed");
  EXPECT_EQ(c.resolution, "accepted");
  EXPECT_EQ(c.feedbacks, 1);
  EXPECT_EQ(c.history.size(), 7u);
}

TEST(RequestTest, OnlyTheRightPartyMayActInEachState) {
  RequestCase c = Filed();
  EXPECT_THAT(ApplyToRequest(c, Msg("x", "alpha", {"beta"}, kRequestAck, 1, {"r1"}, "{}")),
              StatusIs(base::StatusCode::kFailedPrecondition,
                       HasSubstr("alpha may not send request-ack in state filed")));
  EXPECT_THAT(ApplyToRequest(c, Msg("x", "alpha", {"beta"}, kRequestClose, 1, {"r1"},
                                    R"({"resolution":"accepted"})")),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("request-close")));
  EXPECT_THAT(ApplyToRequest(c, Msg("x", "beta", {"alpha"}, kRequestInfoNeeded, 1, {"r1"},
                                    R"({"question":"q"})")),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("state filed")));
  EXPECT_THAT(ApplyToRequest(c, Msg("x", "beta", {"alpha"}, kRequestAck, 1, {"other"}, "{}")),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("does not refer")));
}

TEST(RequestTest, AnswerWithoutAcknowledgementCountsAsAcknowledged) {
  RequestCase c = Filed();
  ASSERT_OK(ApplyToRequest(c, Msg("m", "beta", {"alpha"}, kRequestRespond, 30, {"r1"},
                               R"({"outcome":"declined","reason":"out of scope"})")));
  ASSERT_TRUE(c.acknowledged.has_value());
  EXPECT_EQ(*c.acknowledged, At(30));
}

TEST(RequestTest, ReminderThenEscalationAsDeadlinesPass) {
  RequestCase c = Filed();
  EXPECT_TRUE(DueActions(c, At(60)).empty());
  auto due = DueActions(c, At(2700));  // 75% of the hour to acknowledge
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].kind, DueAction::Kind::kReminder);
  EXPECT_EQ(due[0].deadline, "acknowledge");
  due = DueActions(c, At(3600));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].kind, DueAction::Kind::kEscalation);
  EXPECT_EQ(due[0].due, At(3600));
  // Escalating before the deadline is refused; at it, accepted once.
  EXPECT_THAT(ApplyToRequest(c, Msg("e0", "alpha", {"beta"}, kRequestEscalate, 3599, {"r1"},
                                    R"({"deadline":"acknowledge"})")),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("before it passed")));
  ASSERT_OK(ApplyToRequest(c, Msg("e1", "alpha", {"beta"}, kRequestEscalate, 3600, {"r1"},
                               R"({"deadline":"acknowledge"})")));
  EXPECT_THAT(ApplyToRequest(c, Msg("e2", "alpha", {"beta"}, kRequestEscalate, 3700, {"r1"},
                                    R"({"deadline":"acknowledge"})")),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("already escalated")));
  EXPECT_TRUE(DueActions(c, At(3700)).empty());
  due = DueActions(c, At(86400));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].deadline, "respond");
  EXPECT_EQ(due[0].kind, DueAction::Kind::kEscalation);
}

TEST(RequestTest, NothingIsDueWhileWaitingForInformationOrOnceAnswered) {
  RequestCase c = Filed();
  ASSERT_OK(ApplyToRequest(c, Msg("a", "beta", {"alpha"}, kRequestAck, 10, {"r1"}, "{}")));
  ASSERT_OK(ApplyToRequest(c, Msg("q", "beta", {"alpha"}, kRequestInfoNeeded, 20, {"r1"},
                               R"({"question":"q"})")));
  EXPECT_TRUE(DueActions(c, At(999999)).empty());
  RequestCase d = Filed();
  ASSERT_OK(ApplyToRequest(d, Msg("r", "beta", {"alpha"}, kRequestRespond, 10, {"r1"},
                               R"({"outcome":"no-findings"})")));
  EXPECT_TRUE(DueActions(d, At(999999)).empty());
}

TEST(ViolationTest, ClaimsAndCounterClaimsStandSideBySide) {
  auto v = OpenViolation(Msg("v1", "alpha", {"beta"}, kViolationReport, 0, {},
                             R"({"commitment":"C1","summary":"scan","evidence":[]})"));
  ASSERT_OK(v.status());
  ASSERT_OK(ApplyToViolation(*v, Msg("v2", "beta", {"alpha"}, kViolationResponse, 10, {"v1"},
                                     R"({"answer":"denied","statement":"not us"})")));
  ASSERT_OK(ApplyToViolation(*v, Msg("v3", "alpha", {"beta"}, kViolationDispute, 20, {"v1"},
                                     R"({"statement":"logs attached"})")));
  EXPECT_THAT(ApplyToViolation(*v, Msg("v4", "gamma", {"alpha"}, kViolationResponse, 30,
                                       {"v1"}, R"({"answer":"remedied","statement":"x"})")),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("not accused")));
  ASSERT_EQ(v->entries.size(), 2u);
  EXPECT_EQ(v->entries[0].answer, "denied");
  EXPECT_EQ(v->entries[1].kind, "violation-dispute");
}

TEST(ScorecardTest, FiguresMatchAHandComputation) {
  std::vector<WorkflowMessage> msgs = {
      // r1: beta acknowledges in 100 s and answers in 1,000 s (on time).
      Msg("r1", "alpha", {"beta"}, kRequestFile, 0, {}, kPreservation),
      Msg("a1", "beta", {"alpha"}, kRequestAck, 100, {"r1"}, "{}"),
      Msg("p1", "beta", {"alpha"}, kRequestRespond, 1000, {"r1"}, R"({"outcome":"completed"})"),
      // r2: beta acknowledges late (7,200 s) and declines at 100,000 s (late).
      Msg("r2", "alpha", {"beta"}, kRequestFile, 0, {}, kPreservation),
      Msg("a2", "beta", {"alpha"}, kRequestAck, 7200, {"r2"}, "{}"),
      Msg("e2", "alpha", {"beta"}, kRequestEscalate, 3600, {"r2"}, R"({"deadline":"acknowledge"})"),
      Msg("p2", "beta", {"alpha"}, kRequestRespond, 100000, {"r2"},
          R"({"outcome":"declined","reason":"no basis"})"),
      // r3: to gamma, never answered: overdue at "now".
      Msg("r3", "alpha", {"gamma"}, kRequestFile, 0, {}, kPreservation),
      // A violation report against beta, answered; one against gamma, not answered.
      Msg("v1", "alpha", {"beta"}, kViolationReport, 5, {},
          R"({"commitment":"C1","summary":"s","evidence":[]})"),
      Msg("v2", "beta", {"alpha"}, kViolationResponse, 50, {"v1"},
          R"({"answer":"investigating","statement":"looking"})"),
      Msg("v3", "alpha", {"gamma"}, kViolationReport, 5, {},
          R"({"commitment":"C1","summary":"s","evidence":[]})"),
      // Noise: an ack by the wrong party and a message for an unknown case.
      Msg("bad", "alpha", {"gamma"}, kRequestAck, 10, {"r3"}, "{}"),
      Msg("lost", "beta", {"alpha"}, kRequestAck, 10, {"nope"}, "{}"),
  };
  Cases cases = BuildCases(msgs, [](std::string_view p) -> std::optional<Deadlines> {
    if (p == "high") return kHigh;
    return std::nullopt;
  });
  EXPECT_EQ(cases.requests.size(), 3u);
  EXPECT_EQ(cases.violations.size(), 2u);
  EXPECT_EQ(cases.rejected.size(), 2u);
  std::vector<std::string> parties = {"alpha", "beta", "gamma"};
  auto scores = ComputeScorecard(cases, parties, At(200000));
  ASSERT_EQ(scores.size(), 3u);
  EXPECT_EQ(scores[0].requests_received, 0);
  const PartyScore& beta = scores[1];
  EXPECT_EQ(beta.requests_received, 2);
  EXPECT_EQ(beta.acknowledged, 2);
  EXPECT_EQ(beta.acknowledged_on_time, 1);
  EXPECT_EQ(beta.responded, 2);
  EXPECT_EQ(beta.responded_on_time, 1);
  EXPECT_EQ(beta.declined, 1);
  EXPECT_EQ(beta.escalations, 1);
  EXPECT_EQ(beta.overdue_now, 0);
  ASSERT_TRUE(beta.median_acknowledge_s.has_value());
  EXPECT_DOUBLE_EQ(*beta.median_acknowledge_s, (100.0 + 7200.0) / 2);
  EXPECT_DOUBLE_EQ(*beta.median_respond_s, (1000.0 + 100000.0) / 2);
  EXPECT_EQ(beta.violation_reports_received, 1);
  EXPECT_EQ(beta.violation_reports_answered, 1);
  const PartyScore& gamma = scores[2];
  EXPECT_EQ(gamma.requests_received, 1);
  EXPECT_EQ(gamma.overdue_now, 1);
  EXPECT_FALSE(gamma.median_acknowledge_s.has_value());
  EXPECT_EQ(gamma.violation_reports_received, 1);
  EXPECT_EQ(gamma.violation_reports_answered, 0);
  std::string json = ScorecardJson(scores);
  EXPECT_THAT(json, HasSubstr(R"("party":"gamma")"));
  EXPECT_THAT(json, HasSubstr(R"("median_acknowledge_s":null)"));
}

TEST(ScorecardTest, MessagesSeenTwiceCountOnce) {
  std::vector<WorkflowMessage> msgs = {
      Msg("r1", "alpha", {"beta"}, kRequestFile, 0, {}, kPreservation),
      Msg("a1", "beta", {"alpha"}, kRequestAck, 100, {"r1"}, "{}"),
  };
  msgs.push_back(msgs[0]);
  msgs.push_back(msgs[1]);
  Cases cases = BuildCases(msgs, [](std::string_view) { return std::optional<Deadlines>(kHigh); });
  ASSERT_EQ(cases.requests.size(), 1u);
  EXPECT_TRUE(cases.rejected.empty());
  EXPECT_EQ(cases.requests[0].history.size(), 2u);
}

}  // namespace
}  // namespace detente::accord
