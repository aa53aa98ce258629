// accord/workflows.cc: requests for assistance, violation reports, the due actions (reminders,
// hotline escalations, status reports) and the scorecard on a node (workflows.h). Every step is
// applied to the case as this node holds it before anything is signed, so the state machines of
// workflow.h accept exactly what is sent. Tested by tests/accord/workflows_test.cc and
// tests/integration/workflows_test.cc. Formats: ../../docs/formats/workflows.md.
#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "accord/accord.h"
#include "accord/internal.h"

namespace detente::accord {
namespace {

namespace json = boost::json;
using base::Timestamp;
using store::Value;

bool IsWorkflowKind(std::string_view kind) {
  return kind.starts_with("request-") || kind.starts_with("violation-");
}

// The kinds Act may send: every later step of a case.
constexpr std::string_view kRequestSteps[] = {
    kRequestAck,      kRequestInfoNeeded, kRequestInfo,     kRequestRespond,  kRequestClose,
    kRequestWithdraw, kRequestEscalate,   kRequestReminder, kRequestFeedback, kRequestStatus};
constexpr std::string_view kViolationSteps[] = {kViolationResponse, kViolationDispute};

template <size_t N>
bool OneOf(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

std::string BodyString(std::string_view body, std::string_view member) {
  auto v = internal::ParseJson(body, "body");
  if (!v.ok() || !v->is_object()) return "";
  const json::value* m = v->as_object().if_contains(member);
  return m != nullptr && m->is_string() ? std::string(m->as_string()) : "";
}

// What a node holds of its cases: the workflow messages, the cases built from them and each
// case-opening message's TLP (later steps travel under the same TLP).
struct Loaded {
  std::vector<WorkflowMessage> messages;
  Cases cases;
  std::map<std::string, std::string, std::less<>> tlp;  // request-file / report id -> tlp
  int64_t rows = 0;  // rows the query returned (messages are never deleted: a change = new ones)
};

constexpr std::string_view kWorkflowWhere =
    " FROM accord_messages WHERE kind LIKE 'request-%' OR kind LIKE 'violation-%'";

std::optional<Deadlines> DeadlinesFor(const Accord& accord, std::string_view priority) {
  auto it = accord.deadlines.find(std::string(priority));
  if (it == accord.deadlines.end()) return std::nullopt;
  return Deadlines{it->second.acknowledge_s, it->second.respond_s};
}

Result<Loaded> Load(Exchange& ex) {
  Loaded out;
  std::vector<std::pair<std::string, std::string>> unreadable;
  ASSIGN_OR_RETURN(
      auto rows,
      ex.connection().Query("SELECT id, sender, recipients, seq, kind, created, refs, tlp, body" +
                            std::string(kWorkflowWhere) + " ORDER BY created, sender, seq"));
  while (rows->Next()) {
    ++out.rows;
    WorkflowMessage m;
    m.id = std::string(rows->Text(0));
    m.from = std::string(rows->Text(1));
    m.to = internal::ParseStringList(rows->Text(2));
    m.seq = static_cast<uint64_t>(rows->Int64(3));
    m.kind = std::string(rows->Text(4));
    auto created = Timestamp::Parse(rows->Text(5));
    if (!created.ok()) {
      unreadable.emplace_back(m.id, "created: " + std::string(created.status().message()));
      continue;
    }
    m.created = *created;
    m.refs = internal::ParseStringList(rows->Text(6));
    if (m.kind == kRequestFile || m.kind == kViolationReport) {
      out.tlp.emplace(m.id, std::string(rows->Text(7)));
    }
    m.body = std::string(rows->Text(8));
    if (!IsWorkflowKind(m.kind)) continue;  // SQLite's LIKE ignores case; kinds do not
    out.messages.push_back(std::move(m));
  }
  RETURN_IF_ERROR(rows->status());
  const Accord& accord = ex.accord();
  out.cases = BuildCases(out.messages, [&accord](std::string_view priority) {
    return DeadlinesFor(accord, priority);
  });
  for (auto& u : unreadable) out.cases.rejected.push_back(std::move(u));
  return out;
}

// How many rows Load() would read now.
Result<int64_t> CountWorkflowRows(Exchange& ex) {
  ASSIGN_OR_RETURN(auto rows,
                   ex.connection().Query("SELECT COUNT(*)" + std::string(kWorkflowWhere)));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return base::InternalError("COUNT(*) returned no row");
  }
  return rows->Int64(0);
}

// Whether step `m` (its created the time it is stamped) may follow what `loaded` holds of case
// `id`: not stamped before the case's last message, and allowed by the state machine.
Status CheckStep(const Loaded& loaded, const std::string& id, const WorkflowMessage& m) {
  for (const RequestCase& c : loaded.cases.requests) {
    if (c.id != id) continue;
    const CaseEvent& last = c.history.back();
    if (m.created < last.at || (m.created == last.at && m.from < last.from)) {
      return base::FailedPreconditionError(
          "case " + id + ": this node's clock (" + m.created.FormatMillis() +
          ") is not after the case's last message (" + last.at.FormatMillis() + " from " +
          last.from + "); check the node's clock");
    }
    RequestCase copy = c;
    return ApplyToRequest(copy, m);
  }
  for (const ViolationCase& v : loaded.cases.violations) {
    if (v.id != id) continue;
    ViolationCase copy = v;
    return ApplyToViolation(copy, m);
  }
  return base::NotFoundError("no case " + id + " on this node");
}

// The next timestamp the exchange will stamp (envelopes carry milliseconds).
Timestamp StampNow(const Exchange& ex) {
  auto t = Timestamp::Parse(ex.clock().Now().FormatMillis());
  return t.ok() ? *t : ex.clock().Now();
}

std::vector<std::string> AllOthers(const Exchange& ex) {
  std::vector<std::string> out;
  for (const Party& p : ex.accord().parties) {
    if (p.name != ex.party()) out.push_back(p.name);
  }
  return out;
}

// Sends one later step of a case held in `loaded`, after applying it to the case; on success
// the case in `loaded` includes the step.
Result<Envelope> SendStep(Exchange& ex, Loaded& loaded, std::string_view case_id,
                          std::string_view kind, std::string_view body_json) {
  const bool is_request = OneOf(kind, kRequestSteps);
  const bool is_violation = OneOf(kind, kViolationSteps);
  if (!is_request && !is_violation) {
    return base::InvalidArgumentError(
        "\"" + std::string(kind.substr(0, 64)) +
        "\" is not a later step of a case (request-ack, request-info-needed, request-info, "
        "request-respond, request-close, request-withdraw, request-escalate, "
        "request-reminder, request-feedback, request-status, violation-response, "
        "violation-dispute)");
  }
  auto parsed = internal::ParseJson(body_json, std::string(kind) + " body");
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) {
    return base::InvalidArgumentError(std::string(kind) + " body: not an object");
  }
  json::object body = std::move(parsed->as_object());
  const std::string& me = ex.party();

  RequestCase* request = nullptr;
  ViolationCase* violation = nullptr;
  for (RequestCase& c : loaded.cases.requests) {
    if (c.id == case_id) request = &c;
  }
  for (ViolationCase& c : loaded.cases.violations) {
    if (c.id == case_id) violation = &c;
  }
  std::string id(case_id);
  if (is_request && request == nullptr) {
    if (violation != nullptr) {
      return base::InvalidArgumentError(id + " is a violation report, not a request: " +
                                        std::string(kind) + " does not apply to it");
    }
    return base::NotFoundError("no request " + id + " on this node");
  }
  if (is_violation && violation == nullptr) {
    if (request != nullptr) {
      return base::InvalidArgumentError(id + " is a request, not a violation report: " +
                                        std::string(kind) + " does not apply to it");
    }
    return base::NotFoundError("no violation report " + id + " on this node");
  }

  std::vector<std::string> to;
  if (request != nullptr) {
    if (me != request->requester && me != request->responder) {
      return base::FailedPreconditionError("request " + id + ": " + me +
                                           " is neither its requester nor its responder");
    }
    if (kind == kRequestEscalate) {
      // The hotline: every other party. The body names the case without its content.
      to = AllOthers(ex);
      const json::value* named = body.if_contains("deadline");
      std::string deadline =
          named != nullptr && named->is_string() ? std::string(named->as_string()) : std::string();
      body["request"] = request->id;
      body["requester"] = request->requester;
      body["responder"] = request->responder;
      body["priority"] = request->priority;
      body["category"] = request->category;
      if (deadline == "acknowledge") body["due"] = request->acknowledge_due.FormatMillis();
      if (deadline == "respond") body["due"] = request->respond_due.FormatMillis();
    } else {
      to = {me == request->requester ? request->responder : request->requester};
    }
  } else {
    bool in_case = me == violation->reporter ||
                   std::find(violation->accused.begin(), violation->accused.end(), me) !=
                       violation->accused.end();
    if (!in_case) {
      return base::FailedPreconditionError("violation report " + id + ": " + me +
                                           " is neither its reporter nor accused in it");
    }
    if (me != violation->reporter) to.push_back(violation->reporter);
    for (const auto& a : violation->accused) {
      if (a != me) to.push_back(a);
    }
    std::sort(to.begin(), to.end());
    to.erase(std::unique(to.begin(), to.end()), to.end());
  }

  WorkflowMessage m;
  m.id = "(not yet sent)";
  m.from = me;
  m.to = to;
  m.kind = std::string(kind);
  m.created = StampNow(ex);
  m.refs = {id};
  m.body = internal::Canonical(body);
  // Every holder orders a case's messages by (created, sender, seq): a step stamped before the
  // case's last message would be applied before it everywhere else, so refuse it here.
  Timestamp last_at;
  std::string last_from;
  if (request != nullptr) {
    last_at = request->history.back().at;
    last_from = request->history.back().from;
  } else if (!violation->entries.empty()) {
    last_at = violation->entries.back().at;
    last_from = violation->entries.back().from;
  } else {
    last_at = violation->reported;
    last_from = violation->reporter;
  }
  if (m.created < last_at || (m.created == last_at && me < last_from)) {
    return base::FailedPreconditionError(
        "case " + id + ": this node's clock (" + m.created.FormatMillis() +
        ") is not after the case's last message (" + last_at.FormatMillis() + " from " + last_from +
        "); check the node's clock");
  }
  if (request != nullptr) {
    RequestCase copy = *request;
    RETURN_IF_ERROR(ApplyToRequest(copy, m));
  } else {
    ViolationCase copy = *violation;
    RETURN_IF_ERROR(ApplyToViolation(copy, m));
  }
  auto tlp_it = loaded.tlp.find(id);
  std::string tlp = tlp_it != loaded.tlp.end() ? tlp_it->second : ex.accord().tlp_default;
  std::vector<std::string> refs = {id};
  // Checked again under the log's lock, atomically with the send: another process (serve's
  // ticker, a second CLI command) may have sent a step of this case since `loaded` was read,
  // e.g. the same escalation; then the state machine's answer on the fresh case is returned.
  const int64_t rows_seen = loaded.rows;
  auto still_allowed = [&ex, &id, &m, rows_seen]() -> Status {
    ASSIGN_OR_RETURN(int64_t now_rows, CountWorkflowRows(ex));
    if (now_rows == rows_seen) return base::OkStatus();
    ASSIGN_OR_RETURN(Loaded fresh, Load(ex));
    WorkflowMessage again = m;
    again.created = StampNow(ex);
    Status s = CheckStep(fresh, id, again);
    if (s.ok()) return s;
    return Status(s.code(), std::string(s.message()) +
                                " (another process of this node sent a step of this case "
                                "meanwhile)");
  };
  ASSIGN_OR_RETURN(Envelope env, ex.OriginateIf(kind, to, m.body, tlp, refs, still_allowed));
  // Keep the node's view current for further steps in the same call (RunDue).
  ++loaded.rows;
  m.id = env.id;
  m.seq = env.seq;
  if (auto t = Timestamp::Parse(env.created); t.ok()) m.created = *t;
  if (request != nullptr) {
    ApplyToRequest(*request, m).IgnoreError();
  } else {
    ApplyToViolation(*violation, m).IgnoreError();
  }
  loaded.messages.push_back(std::move(m));
  return env;
}

std::string StatusText(const RequestCase& c) {
  std::string s = "request " + c.id + " is " + std::string(RequestStateName(c.state));
  if (!c.acknowledged) s += "; acknowledgement due " + c.acknowledge_due.FormatMillis();
  if (c.state == RequestState::kInfoNeeded) {
    s += "; waiting for information from " + c.requester;
  } else {
    s += "; response due " + c.respond_due.FormatMillis();
  }
  return s;
}

}  // namespace

Workflows::Workflows(Exchange& exchange, WorkflowsOptions options)
    : exchange_(exchange), options_(std::move(options)) {}

Result<Envelope> Workflows::FileRequest(std::string_view responder, std::string_view body_json,
                                        std::string_view tlp) {
  Exchange& ex = exchange_;
  if (responder == ex.party()) {
    return base::InvalidArgumentError("a party cannot file a request with itself");
  }
  if (ex.accord().FindParty(responder) == nullptr) {
    return base::InvalidArgumentError("responder \"" + std::string(responder.substr(0, 64)) +
                                      "\" is not a party of the accord");
  }
  auto parsed = internal::ParseJson(body_json, "request-file body");
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return base::InvalidArgumentError("request-file body: not an object");
  std::string body = internal::Canonical(*parsed);
  // Opening the case as every holder will: body, priority with deadlines, one responder.
  WorkflowMessage m;
  m.id = "(not yet sent)";
  m.from = ex.party();
  m.to = {std::string(responder)};
  m.kind = std::string(kRequestFile);
  m.created = StampNow(ex);
  m.body = body;
  RETURN_IF_ERROR(ValidateWorkflowBody(kRequestFile, body));
  std::string priority = BodyString(body, "priority");
  std::optional<Deadlines> d = DeadlinesFor(ex.accord(), priority);
  if (!d) {
    return base::InvalidArgumentError(
        "request-file body /priority: the accord gives no "
        "deadlines for \"" +
        priority + "\"");
  }
  RETURN_IF_ERROR(OpenRequest(m, *d).status());
  std::vector<std::string> to = {std::string(responder)};
  return ex.Originate(kRequestFile, to, body,
                      tlp.empty() ? std::string_view(ex.accord().tlp_default) : tlp);
}

Result<Envelope> Workflows::ReportViolation(std::span<const std::string> accused,
                                            std::string_view body_json, std::string_view tlp) {
  Exchange& ex = exchange_;
  std::vector<std::string> to(accused.begin(), accused.end());
  std::sort(to.begin(), to.end());
  to.erase(std::unique(to.begin(), to.end()), to.end());
  if (to.empty()) return base::InvalidArgumentError("a violation report names no accused party");
  for (const auto& a : to) {
    if (a == ex.party()) return base::InvalidArgumentError("a party cannot accuse itself");
    if (ex.accord().FindParty(a) == nullptr) {
      return base::InvalidArgumentError("accused \"" + a.substr(0, 64) +
                                        "\" is not a party of the accord");
    }
  }
  auto parsed = internal::ParseJson(body_json, "violation-report body");
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) {
    return base::InvalidArgumentError("violation-report body: not an object");
  }
  std::string body = internal::Canonical(*parsed);
  std::vector<std::string> commitments;
  for (const Commitment& c : ex.accord().commitments) commitments.push_back(c.id);
  RETURN_IF_ERROR(ValidateWorkflowBody(kViolationReport, body, commitments));
  return ex.Originate(kViolationReport, to, body,
                      tlp.empty() ? std::string_view(ex.accord().tlp_default) : tlp);
}

Result<Envelope> Workflows::Act(std::string_view case_id, std::string_view kind,
                                std::string_view body_json) {
  ASSIGN_OR_RETURN(Loaded loaded, Load(exchange_));
  return SendStep(exchange_, loaded, case_id, kind, body_json);
}

Result<Cases> Workflows::LoadCases() {
  ASSIGN_OR_RETURN(Loaded loaded, Load(exchange_));
  return std::move(loaded.cases);
}

Result<TickReport> Workflows::RunDue() {
  Exchange& ex = exchange_;
  TickReport report;
  ASSIGN_OR_RETURN(Loaded loaded, Load(ex));
  const std::string& me = ex.party();
  const Timestamp now = ex.clock().Now();
  // Reminders already sent, by (case, deadline): at most one each.
  std::set<std::pair<std::string, std::string>> reminded;
  for (const WorkflowMessage& m : loaded.messages) {
    if (m.kind == kRequestReminder && m.from == me && !m.refs.empty()) {
      reminded.emplace(m.refs[0], BodyString(m.body, "deadline"));
    }
  }
  // Indexes, not references: SendStep appends to loaded.messages, not to the case list.
  for (size_t i = 0; i < loaded.cases.requests.size(); ++i) {
    const RequestCase& c = loaded.cases.requests[i];
    const std::string case_id = c.id;
    if (c.requester == me) {
      for (const DueAction& a : DueActions(c, now, options_.reminder_fraction)) {
        const bool reminder = a.kind == DueAction::Kind::kReminder;
        if (reminder && reminded.contains({case_id, a.deadline})) continue;
        json::object body{{"deadline", a.deadline}, {"due", a.due.FormatMillis()}};
        auto env = SendStep(ex, loaded, case_id, reminder ? kRequestReminder : kRequestEscalate,
                            internal::Canonical(body));
        if (!env.ok()) {
          report.errors.push_back("request " + case_id + ": " + env.status().ToString());
          continue;
        }
        if (reminder) reminded.emplace(case_id, a.deadline);
        report.sent.push_back(env->id);
      }
    } else if (c.responder == me && options_.status_interval_s > 0) {
      const bool open = c.state == RequestState::kFiled || c.state == RequestState::kAcknowledged ||
                        c.state == RequestState::kInfoNeeded;
      if (!open) continue;
      Timestamp last = c.filed;
      for (const CaseEvent& e : c.history) {
        if (e.kind == kRequestStatus && e.from == me && last < e.at) last = e.at;
      }
      if (now.NanosSince(last) < options_.status_interval_s * 1'000'000'000) continue;
      json::object body{{"status", StatusText(c)},
                        {"state", std::string(RequestStateName(c.state))},
                        {"automatic", true}};
      auto env = SendStep(ex, loaded, case_id, kRequestStatus, internal::Canonical(body));
      if (!env.ok()) {
        report.errors.push_back("request " + case_id + ": " + env.status().ToString());
        continue;
      }
      report.sent.push_back(env->id);
    }
  }
  return report;
}

Result<std::vector<PartyScore>> Workflows::Scorecard() {
  ASSIGN_OR_RETURN(Loaded loaded, Load(exchange_));
  std::vector<std::string> parties;
  for (const Party& p : exchange_.accord().parties) parties.push_back(p.name);
  return ComputeScorecard(loaded.cases, parties, exchange_.clock().Now());
}

Result<TickReport> Workflows::Tick() {
  TickReport report;
  auto applied = ApplyInbound();
  if (applied.ok()) {
    report.applied = *applied;
  } else {
    report.errors.push_back(applied.status().ToString());
  }
  auto due = RunDue();
  if (due.ok()) {
    report.sent = std::move(due->sent);
    for (auto& e : due->errors) report.errors.push_back(std::move(e));
  } else {
    report.errors.push_back(due.status().ToString());
  }
  return report;
}

}  // namespace detente::accord
