// accord/workflow.h: the accord's workflows as pure functions over signed messages: requests
// for assistance (categories, priorities, life cycle, deadlines from the accord, reminders and
// escalation), violation reports (claims and counter-claims side by side, never adjudicated),
// and the scorecard computed from the messages alone, so any party holding the logs can
// recompute it. No I/O and no clock of its own: the caller passes "now". Message kinds and
// bodies: ../../docs/formats/workflows.md.
//
// Thread-safety: values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"

namespace detente::accord {

// Message kinds of the request workflow (envelope `kind`). Every kind but request-file refers
// to the request (the request-file message's id) as its first ref.
inline constexpr std::string_view kRequestFile = "request-file";
inline constexpr std::string_view kRequestAck = "request-ack";
inline constexpr std::string_view kRequestInfoNeeded = "request-info-needed";
inline constexpr std::string_view kRequestInfo = "request-info";
inline constexpr std::string_view kRequestRespond = "request-respond";
inline constexpr std::string_view kRequestClose = "request-close";
inline constexpr std::string_view kRequestWithdraw = "request-withdraw";
inline constexpr std::string_view kRequestEscalate = "request-escalate";
inline constexpr std::string_view kRequestReminder = "request-reminder";
inline constexpr std::string_view kRequestFeedback = "request-feedback";
inline constexpr std::string_view kRequestStatus = "request-status";
// Violation reports.
inline constexpr std::string_view kViolationReport = "violation-report";
inline constexpr std::string_view kViolationResponse = "violation-response";
inline constexpr std::string_view kViolationDispute = "violation-dispute";

// The categories and priorities of DESIGN.md, by their wire names.
inline constexpr std::string_view kRequestCategories[] = {
    "preservation", "subscriber-info", "traffic-data", "content",
    "technical-assistance", "mitigation", "takedown", "other"};
inline constexpr std::string_view kPriorities[] = {"critical", "high", "medium", "low"};
inline constexpr std::string_view kResponseOutcomes[] = {"completed", "partial", "no-findings",
                                                         "declined"};
inline constexpr std::string_view kViolationAnswers[] = {"acknowledged", "denied",
                                                         "investigating", "remedied"};

// One signed message as the workflows see it (taken from an envelope).
struct WorkflowMessage {
  std::string id;
  std::string from;
  std::vector<std::string> to;
  std::string kind;
  base::Timestamp created;
  std::vector<std::string> refs;
  std::string body = "{}";  // a JSON object
  // The envelope's seq in its sender's log: orders one sender's messages stamped within the
  // same millisecond (0 when unknown).
  uint64_t seq = 0;
};

// Checks the body of a workflow message of `kind` (kinds not listed above: OK, they are not
// workflow messages). request-file: category (one of kRequestCategories), priority (one of
// kPriorities), title (1-200 characters), description, legal_basis, and the fields each
// category requires (docs/formats/workflows.md: e.g. preservation needs "identifiers", a
// non-empty array of strings, and "retention_days"; subscriber-info and traffic-data need
// "identifiers" and "period" {"start","end"} as RFC 3339; takedown needs "targets");
// request-respond: outcome, and a non-empty "reason" when declined; request-close:
// resolution "accepted" or "disputed"; violation-report: commitment (an id of the accord's
// commitments when `commitments` is non-empty), summary, evidence (array), optional
// attribution; violation-response: answer (one of kViolationAnswers) and statement.
// Errors: kInvalidArgument naming the member ("request-file body /identifiers: required for
// category preservation").
base::Status ValidateWorkflowBody(std::string_view kind, std::string_view body_json,
                                  std::span<const std::string> commitments = {});

enum class RequestState {
  kFiled,
  kAcknowledged,
  kInfoNeeded,
  kResponded,
  kClosed,
  kWithdrawn,
};
std::string_view RequestStateName(RequestState state);

// Deadlines of one priority, from the accord.
// The longest deadline an accord may set (10 years): longer spans are refused (Accord::Parse,
// OpenRequest) instead of overflowing the time arithmetic of the cases.
inline constexpr int64_t kMaxDeadlineSeconds = int64_t{10} * 366 * 24 * 3600;
struct Deadlines {
  int64_t acknowledge_s = 0;
  int64_t respond_s = 0;
};

// A request's history entry.
struct CaseEvent {
  std::string id;  // message id
  std::string from;
  std::string kind;
  base::Timestamp at;
};

struct RequestCase {
  std::string id;  // the request-file message id
  std::string requester;
  std::string responder;  // the one recipient of the request-file
  std::string category, priority, title;
  RequestState state = RequestState::kFiled;
  std::string outcome;     // when responded
  std::string resolution;  // when closed
  base::Timestamp filed;
  std::optional<base::Timestamp> acknowledged, responded, closed;
  // Deadlines. The respond deadline moves by the time spent waiting for information
  // (info-needed until info): the requester's delay is not the responder's.
  base::Timestamp acknowledge_due, respond_due;
  std::optional<base::Timestamp> info_requested_at;  // set while kInfoNeeded
  int escalations = 0;
  bool acknowledge_escalated = false, respond_escalated = false;
  int feedbacks = 0;
  std::vector<CaseEvent> history;
};

// Opens a case from a request-file message: exactly one recipient; the body validated; the
// deadlines from `deadlines` for its priority. Errors: kInvalidArgument.
base::Result<RequestCase> OpenRequest(const WorkflowMessage& filed, const Deadlines& deadlines);

// Applies a later message of the case. Who may send what, and when:
//   responder: request-ack (filed), request-info-needed (acknowledged), request-respond
//     (acknowledged, or filed: an answer implies the acknowledgement);
//   requester: request-info (info-needed), request-close (responded), request-withdraw (any
//     state before closed), request-escalate / request-reminder (filed, acknowledged or
//     info-needed, and only when the deadline it names has passed / is near), request-feedback
//     (responded or closed), request-status (any);
// Errors: kFailedPrecondition ("request 9a..: beta may not send request-close in state
// acknowledged"), kInvalidArgument (body, or not referring to this case).
base::Status ApplyToRequest(RequestCase& c, const WorkflowMessage& m);

// What is due on a case at `now`: a reminder when `reminder_fraction` of a deadline's span has
// passed and it is not yet met, an escalation when it has passed. At most one action per
// deadline; none once the deadline was met or the case is closed or withdrawn.
struct DueAction {
  enum class Kind { kReminder, kEscalation } kind = Kind::kReminder;
  std::string deadline;  // "acknowledge" or "respond"
  base::Timestamp due;
};
std::vector<DueAction> DueActions(const RequestCase& c, const base::Timestamp& now,
                                  double reminder_fraction = 0.75);
// Open with a deadline running (filed or acknowledged: the respond clock stops while
// information is awaited) and past it at `now`. The scorecard's overdue_now, the CLI's
// OVERDUE and the API's "overdue" all use this.
bool IsOverdue(const RequestCase& c, const base::Timestamp& now);

// A violation report with its answers and disputes, side by side.
struct ViolationCase {
  std::string id;
  std::string reporter;
  std::vector<std::string> accused;  // the report's recipients
  std::string commitment;
  std::string summary;
  base::Timestamp reported;
  struct Entry {
    std::string id, from, kind, answer;  // answer: for responses
    base::Timestamp at;
  };
  std::vector<Entry> entries;  // responses and disputes in order
};
base::Result<ViolationCase> OpenViolation(const WorkflowMessage& report);
// Responses come from the accused, disputes from anyone in the case. Errors as ApplyToRequest.
base::Status ApplyToViolation(ViolationCase& c, const WorkflowMessage& m);

// Builds every case from a set of messages (any order; sorted here by created, then sender,
// then seq, then id, so one sender's messages of the same millisecond keep their log order).
// Messages that do not apply (unknown case, not allowed) are reported in `rejected` with why.
struct Cases {
  std::vector<RequestCase> requests;
  std::vector<ViolationCase> violations;
  std::vector<std::pair<std::string, std::string>> rejected;  // message id, reason
};
Cases BuildCases(std::span<const WorkflowMessage> messages,
                 const std::function<std::optional<Deadlines>(std::string_view priority)>&
                     deadlines_for);

// The scorecard of one party, as the recipient of requests and reports.
struct PartyScore {
  std::string party;
  int64_t requests_received = 0;
  int64_t acknowledged = 0, acknowledged_on_time = 0;
  int64_t responded = 0, responded_on_time = 0;
  std::optional<double> median_acknowledge_s, median_respond_s;
  int64_t overdue_now = 0;     // open cases past a deadline at `now`
  int64_t escalations = 0;     // escalations of requests it received
  int64_t declined = 0;
  int64_t violation_reports_received = 0, violation_reports_answered = 0;
};
// One row per party in `parties` (in that order).
std::vector<PartyScore> ComputeScorecard(const Cases& cases, std::span<const std::string> parties,
                                         const base::Timestamp& now);
// {"parties":[{"party":..., ...}]} with every field of PartyScore (medians null when none).
std::string ScorecardJson(std::span<const PartyScore> scores);

}  // namespace detente::accord
