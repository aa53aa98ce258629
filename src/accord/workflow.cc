// accord/workflow.cc: request and violation state machines, deadlines and the scorecard
// (workflow.h). Tested by tests/accord/workflow_test.cc.
#include "accord/workflow.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <string>

namespace detente::accord {
namespace {

namespace json = boost::json;
using base::InvalidArgumentError;
using base::Result;
using base::Status;
using base::Timestamp;

constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxText = 64 * 1024;

template <size_t N>
bool OneOf(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

template <size_t N>
std::string List(const std::string_view (&set)[N]) {
  std::string out;
  for (std::string_view s : set) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

// A parsed body with helpers that name the member in errors.
class Body {
 public:
  static Result<Body> Parse(std::string_view kind, std::string_view text) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 32;
    json::value v = json::parse(text, ec, {}, opts);
    if (ec) return InvalidArgumentError(std::string(kind) + " body: not JSON: " + ec.message());
    if (!v.is_object()) return InvalidArgumentError(std::string(kind) + " body: not an object");
    return Body(std::string(kind), std::move(v));
  }

  Status Error(std::string_view member, std::string_view what) const {
    return InvalidArgumentError(kind_ + " body /" + std::string(member) + ": " +
                                std::string(what));
  }
  bool Has(std::string_view m) const { return obj().contains(m); }
  const json::value* Get(std::string_view m) const { return obj().if_contains(m); }

  // A required string of 1..max characters.
  Result<std::string> String(std::string_view m, size_t max = kMaxText) const {
    const json::value* v = Get(m);
    if (v == nullptr) return Error(m, "required");
    if (!v->is_string()) return Error(m, "must be a string");
    const json::string& s = v->get_string();
    if (s.empty()) return Error(m, "must not be empty");
    if (s.size() > max) return Error(m, "longer than " + std::to_string(max) + " bytes");
    return std::string(s);
  }
  Result<std::string> OptionalString(std::string_view m, size_t max = kMaxText) const {
    if (!Has(m)) return std::string();
    return String(m, max);
  }
  template <size_t N>
  Result<std::string> Enum(std::string_view m, const std::string_view (&set)[N]) const {
    ASSIGN_OR_RETURN(std::string s, String(m, 64));
    if (!OneOf(s, set)) return Error(m, "\"" + s + "\" is not one of " + List(set));
    return s;
  }
  // A required non-empty array of non-empty strings.
  Status StringArray(std::string_view m) const {
    const json::value* v = Get(m);
    if (v == nullptr) return Error(m, "required");
    if (!v->is_array() || v->get_array().empty()) return Error(m, "must be a non-empty array");
    size_t i = 0;
    for (const json::value& e : v->get_array()) {
      if (!e.is_string() || e.get_string().empty()) {
        return Error(std::string(m) + "/" + std::to_string(i), "must be a non-empty string");
      }
      ++i;
    }
    return base::OkStatus();
  }
  Status Array(std::string_view m) const {
    const json::value* v = Get(m);
    if (v == nullptr) return Error(m, "required");
    if (!v->is_array()) return Error(m, "must be an array");
    return base::OkStatus();
  }
  Status PositiveInt(std::string_view m) const {
    const json::value* v = Get(m);
    if (v == nullptr) return Error(m, "required");
    if (!(v->is_int64() && v->get_int64() > 0) && !(v->is_uint64() && v->get_uint64() > 0)) {
      return Error(m, "must be a positive integer");
    }
    return base::OkStatus();
  }
  // {"start": RFC 3339, "end": RFC 3339} with start <= end.
  Status Period(std::string_view m) const {
    const json::value* v = Get(m);
    if (v == nullptr) return Error(m, "required");
    if (!v->is_object()) return Error(m, "must be an object {\"start\", \"end\"}");
    Timestamp t[2];
    const char* names[2] = {"start", "end"};
    for (int i = 0; i < 2; ++i) {
      const json::value* x = v->get_object().if_contains(names[i]);
      std::string path = std::string(m) + "/" + names[i];
      if (x == nullptr || !x->is_string()) return Error(path, "required RFC 3339 timestamp");
      auto ts = Timestamp::Parse(std::string_view(x->get_string()));
      if (!ts.ok()) return Error(path, ts.status().message());
      t[i] = *ts;
    }
    if (t[1] < t[0]) return Error(m, "end is before start");
    return base::OkStatus();
  }

 private:
  Body(std::string kind, json::value v) : kind_(std::move(kind)), v_(std::move(v)) {}
  const json::object& obj() const { return v_.get_object(); }
  std::string kind_;
  json::value v_;
};

Status ValidateRequestFile(const Body& b) {
  ASSIGN_OR_RETURN(std::string category, b.Enum("category", kRequestCategories));
  RETURN_IF_ERROR(b.Enum("priority", kPriorities).status());
  RETURN_IF_ERROR(b.String("title", kMaxTitle).status());
  RETURN_IF_ERROR(b.String("description").status());
  RETURN_IF_ERROR(b.String("legal_basis").status());
  if (b.Has("evidence")) RETURN_IF_ERROR(b.Array("evidence"));
  auto need = [&](std::string_view member, Status st) -> Status {
    if (st.ok()) return st;
    if (!b.Has(member)) {
      return b.Error(member, "required for category " + category);
    }
    return st;
  };
  if (category == "preservation") {
    RETURN_IF_ERROR(need("identifiers", b.StringArray("identifiers")));
    RETURN_IF_ERROR(need("retention_days", b.PositiveInt("retention_days")));
  } else if (category == "subscriber-info" || category == "traffic-data") {
    RETURN_IF_ERROR(need("identifiers", b.StringArray("identifiers")));
    RETURN_IF_ERROR(need("period", b.Period("period")));
  } else if (category == "content") {
    RETURN_IF_ERROR(need("identifiers", b.StringArray("identifiers")));
    RETURN_IF_ERROR(need("period", b.Period("period")));
  } else if (category == "takedown") {
    RETURN_IF_ERROR(need("targets", b.StringArray("targets")));
  } else if (category == "mitigation") {
    RETURN_IF_ERROR(need("targets", b.StringArray("targets")));
  } else if (category == "technical-assistance") {
    RETURN_IF_ERROR(need("assistance", b.String("assistance").status()));
  }
  return base::OkStatus();
}

}  // namespace

Status ValidateWorkflowBody(std::string_view kind, std::string_view body_json,
                            std::span<const std::string> commitments) {
  bool known = kind == kRequestFile || kind == kRequestAck || kind == kRequestInfoNeeded ||
               kind == kRequestInfo || kind == kRequestRespond || kind == kRequestClose ||
               kind == kRequestWithdraw || kind == kRequestEscalate ||
               kind == kRequestReminder || kind == kRequestFeedback ||
               kind == kRequestStatus || kind == kViolationReport ||
               kind == kViolationResponse || kind == kViolationDispute;
  if (!known) return base::OkStatus();
  ASSIGN_OR_RETURN(Body b, Body::Parse(kind, body_json));
  if (kind == kRequestFile) return ValidateRequestFile(b);
  if (kind == kRequestAck) return b.OptionalString("note").status();
  if (kind == kRequestInfoNeeded) return b.String("question").status();
  if (kind == kRequestInfo) return b.String("answer").status();
  if (kind == kRequestRespond) {
    ASSIGN_OR_RETURN(std::string outcome, b.Enum("outcome", kResponseOutcomes));
    if (outcome == "declined") {
      if (!b.Has("reason")) return b.Error("reason", "required when the outcome is declined");
      RETURN_IF_ERROR(b.String("reason").status());
    }
    return base::OkStatus();
  }
  if (kind == kRequestClose) {
    static constexpr std::string_view kResolutions[] = {"accepted", "disputed"};
    return b.Enum("resolution", kResolutions).status();
  }
  if (kind == kRequestWithdraw) return b.OptionalString("reason").status();
  if (kind == kRequestEscalate || kind == kRequestReminder) {
    static constexpr std::string_view kDeadlines[] = {"acknowledge", "respond"};
    return b.Enum("deadline", kDeadlines).status();
  }
  if (kind == kRequestFeedback) return b.String("use").status();
  if (kind == kRequestStatus) return b.String("status").status();
  if (kind == kViolationReport) {
    ASSIGN_OR_RETURN(std::string commitment, b.String("commitment", 64));
    if (!commitments.empty() &&
        std::find(commitments.begin(), commitments.end(), commitment) == commitments.end()) {
      return b.Error("commitment", "\"" + commitment + "\" is not a commitment of the accord");
    }
    RETURN_IF_ERROR(b.String("summary").status());
    RETURN_IF_ERROR(b.Array("evidence"));
    if (b.Has("attribution")) RETURN_IF_ERROR(b.String("attribution").status());
    return base::OkStatus();
  }
  if (kind == kViolationResponse) {
    RETURN_IF_ERROR(b.Enum("answer", kViolationAnswers).status());
    return b.String("statement").status();
  }
  if (kind == kViolationDispute) return b.String("statement").status();
  return base::OkStatus();
}

std::string_view RequestStateName(RequestState state) {
  switch (state) {
    case RequestState::kFiled: return "filed";
    case RequestState::kAcknowledged: return "acknowledged";
    case RequestState::kInfoNeeded: return "info-needed";
    case RequestState::kResponded: return "responded";
    case RequestState::kClosed: return "closed";
    case RequestState::kWithdrawn: return "withdrawn";
  }
  return "unknown";
}

namespace {

std::string JsonString(std::string_view body, std::string_view member) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  const json::value* m = v.get_object().if_contains(member);
  if (m == nullptr || !m->is_string()) return "";
  return std::string(m->get_string());
}

Status NotAllowed(const RequestCase& c, const WorkflowMessage& m) {
  return base::FailedPreconditionError("request " + c.id + ": " + m.from + " may not send " +
                                       m.kind + " in state " +
                                       std::string(RequestStateName(c.state)));
}

}  // namespace

Result<RequestCase> OpenRequest(const WorkflowMessage& filed, const Deadlines& deadlines) {
  if (filed.kind != kRequestFile) {
    return InvalidArgumentError("message " + filed.id + " is a " + filed.kind +
                                ", not a request-file");
  }
  if (filed.to.size() != 1) {
    return InvalidArgumentError("request " + filed.id +
                                ": a request goes to exactly one party, not " +
                                std::to_string(filed.to.size()));
  }
  if (deadlines.acknowledge_s <= 0 || deadlines.respond_s < deadlines.acknowledge_s ||
      deadlines.respond_s > kMaxDeadlineSeconds) {
    return InvalidArgumentError("request " + filed.id + ": invalid deadlines");
  }
  RETURN_IF_ERROR(ValidateWorkflowBody(filed.kind, filed.body));
  RequestCase c;
  c.id = filed.id;
  c.requester = filed.from;
  c.responder = filed.to[0];
  c.category = JsonString(filed.body, "category");
  c.priority = JsonString(filed.body, "priority");
  c.title = JsonString(filed.body, "title");
  c.filed = filed.created;
  c.acknowledge_due = filed.created.PlusSeconds(deadlines.acknowledge_s);
  c.respond_due = filed.created.PlusSeconds(deadlines.respond_s);
  c.history.push_back({filed.id, filed.from, filed.kind, filed.created});
  return c;
}

Status ApplyToRequest(RequestCase& c, const WorkflowMessage& m) {
  if (m.refs.empty() || m.refs[0] != c.id) {
    return InvalidArgumentError("message " + m.id + " does not refer to request " + c.id);
  }
  RETURN_IF_ERROR(ValidateWorkflowBody(m.kind, m.body));
  const bool from_responder = m.from == c.responder;
  const bool from_requester = m.from == c.requester;
  const bool open = c.state == RequestState::kFiled || c.state == RequestState::kAcknowledged ||
                    c.state == RequestState::kInfoNeeded;
  if (m.kind == kRequestAck) {
    if (!from_responder || c.state != RequestState::kFiled) return NotAllowed(c, m);
    c.state = RequestState::kAcknowledged;
    c.acknowledged = m.created;
  } else if (m.kind == kRequestInfoNeeded) {
    if (!from_responder || c.state != RequestState::kAcknowledged) return NotAllowed(c, m);
    c.state = RequestState::kInfoNeeded;
    c.info_requested_at = m.created;
  } else if (m.kind == kRequestInfo) {
    if (!from_requester || c.state != RequestState::kInfoNeeded) return NotAllowed(c, m);
    // The responder's clock stops while it waits for the requester.
    int64_t waited = m.created.NanosSince(*c.info_requested_at);
    if (waited > 0) c.respond_due = c.respond_due.PlusNanos(waited);
    c.info_requested_at.reset();
    c.state = RequestState::kAcknowledged;
  } else if (m.kind == kRequestRespond) {
    if (!from_responder ||
        (c.state != RequestState::kFiled && c.state != RequestState::kAcknowledged)) {
      return NotAllowed(c, m);
    }
    if (!c.acknowledged) c.acknowledged = m.created;  // an answer is an acknowledgement
    c.state = RequestState::kResponded;
    c.responded = m.created;
    c.outcome = JsonString(m.body, "outcome");
  } else if (m.kind == kRequestClose) {
    if (!from_requester || c.state != RequestState::kResponded) return NotAllowed(c, m);
    c.state = RequestState::kClosed;
    c.closed = m.created;
    c.resolution = JsonString(m.body, "resolution");
  } else if (m.kind == kRequestWithdraw) {
    if (!from_requester || !(open || c.state == RequestState::kResponded)) {
      return NotAllowed(c, m);
    }
    c.state = RequestState::kWithdrawn;
    c.closed = m.created;
  } else if (m.kind == kRequestEscalate || m.kind == kRequestReminder) {
    if (!from_requester || !open) return NotAllowed(c, m);
    std::string deadline = JsonString(m.body, "deadline");
    bool ack = deadline == "acknowledge";
    if (ack && c.acknowledged) return NotAllowed(c, m);
    const Timestamp& due = ack ? c.acknowledge_due : c.respond_due;
    if (m.kind == kRequestEscalate) {
      if (m.created < due) {
        return base::FailedPreconditionError("request " + c.id + ": escalation of the " +
                                             deadline + " deadline before it passed (due " +
                                             due.Format() + ")");
      }
      bool& flag = ack ? c.acknowledge_escalated : c.respond_escalated;
      if (flag) {
        return base::FailedPreconditionError("request " + c.id + ": the " + deadline +
                                             " deadline was already escalated");
      }
      flag = true;
      ++c.escalations;
    }
  } else if (m.kind == kRequestFeedback) {
    if (!from_requester ||
        (c.state != RequestState::kResponded && c.state != RequestState::kClosed)) {
      return NotAllowed(c, m);
    }
    ++c.feedbacks;
  } else if (m.kind == kRequestStatus) {
    if (!from_requester && !from_responder) return NotAllowed(c, m);
  } else {
    return InvalidArgumentError("message " + m.id + ": " + m.kind +
                                " is not a request workflow message");
  }
  c.history.push_back({m.id, m.from, m.kind, m.created});
  return base::OkStatus();
}

std::vector<DueAction> DueActions(const RequestCase& c, const Timestamp& now,
                                  double reminder_fraction) {
  std::vector<DueAction> out;
  if (c.state == RequestState::kClosed || c.state == RequestState::kWithdrawn ||
      c.state == RequestState::kResponded) {
    return out;
  }
  auto consider = [&](std::string_view name, const Timestamp& due, bool escalated) {
    if (escalated) return;
    if (now >= due) {
      out.push_back({DueAction::Kind::kEscalation, std::string(name), due});
      return;
    }
    int64_t span = due.NanosSince(c.filed);
    int64_t passed = now.NanosSince(c.filed);
    if (span > 0 && static_cast<double>(passed) >= reminder_fraction * static_cast<double>(span)) {
      out.push_back({DueAction::Kind::kReminder, std::string(name), due});
    }
  };
  if (!c.acknowledged) consider("acknowledge", c.acknowledge_due, c.acknowledge_escalated);
  // While waiting for information the respond clock is stopped: nothing is due.
  if (c.state != RequestState::kInfoNeeded) {
    consider("respond", c.respond_due, c.respond_escalated);
  }
  return out;
}

Result<ViolationCase> OpenViolation(const WorkflowMessage& report) {
  if (report.kind != kViolationReport) {
    return InvalidArgumentError("message " + report.id + " is a " + report.kind +
                                ", not a violation-report");
  }
  if (report.to.empty()) {
    return InvalidArgumentError("violation report " + report.id + " names no accused party");
  }
  RETURN_IF_ERROR(ValidateWorkflowBody(report.kind, report.body));
  ViolationCase c;
  c.id = report.id;
  c.reporter = report.from;
  c.accused = report.to;
  c.commitment = JsonString(report.body, "commitment");
  c.summary = JsonString(report.body, "summary");
  c.reported = report.created;
  return c;
}

Status ApplyToViolation(ViolationCase& c, const WorkflowMessage& m) {
  if (m.refs.empty() || m.refs[0] != c.id) {
    return InvalidArgumentError("message " + m.id + " does not refer to violation report " +
                                c.id);
  }
  RETURN_IF_ERROR(ValidateWorkflowBody(m.kind, m.body));
  bool accused = std::find(c.accused.begin(), c.accused.end(), m.from) != c.accused.end();
  if (m.kind == kViolationResponse) {
    if (!accused) {
      return base::FailedPreconditionError("violation report " + c.id + ": " + m.from +
                                           " is not accused and may not answer it");
    }
    c.entries.push_back({m.id, m.from, m.kind, JsonString(m.body, "answer"), m.created});
    return base::OkStatus();
  }
  if (m.kind == kViolationDispute) {
    if (!accused && m.from != c.reporter) {
      return base::FailedPreconditionError("violation report " + c.id + ": " + m.from +
                                           " is not a party to it");
    }
    c.entries.push_back({m.id, m.from, m.kind, "", m.created});
    return base::OkStatus();
  }
  return InvalidArgumentError("message " + m.id + ": " + m.kind +
                              " is not a violation workflow message");
}

Cases BuildCases(std::span<const WorkflowMessage> messages,
                 const std::function<std::optional<Deadlines>(std::string_view)>& deadlines_for) {
  std::vector<const WorkflowMessage*> sorted;
  sorted.reserve(messages.size());
  for (const WorkflowMessage& m : messages) sorted.push_back(&m);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    if (a->created != b->created) return a->created < b->created;
    if (a->from != b->from) return a->from < b->from;
    if (a->seq != b->seq) return a->seq < b->seq;
    return a->id < b->id;
  });
  Cases out;
  std::map<std::string, size_t, std::less<>> requests, violations;
  for (const WorkflowMessage* m : sorted) {
    const std::string_view kind = m->kind;
    if (kind == kRequestFile) {
      if (requests.contains(m->id)) continue;  // the same message seen twice
      std::string priority = JsonString(m->body, "priority");
      std::optional<Deadlines> d = deadlines_for(priority);
      if (!d) {
        out.rejected.emplace_back(m->id, "no deadlines for priority \"" + priority + "\"");
        continue;
      }
      auto c = OpenRequest(*m, *d);
      if (!c.ok()) {
        out.rejected.emplace_back(m->id, std::string(c.status().message()));
        continue;
      }
      requests.emplace(m->id, out.requests.size());
      out.requests.push_back(std::move(*c));
    } else if (kind == kViolationReport) {
      if (violations.contains(m->id)) continue;
      auto c = OpenViolation(*m);
      if (!c.ok()) {
        out.rejected.emplace_back(m->id, std::string(c.status().message()));
        continue;
      }
      violations.emplace(m->id, out.violations.size());
      out.violations.push_back(std::move(*c));
    } else if (kind.starts_with("request-") || kind.starts_with("violation-")) {
      if (m->refs.empty()) {
        out.rejected.emplace_back(m->id, "refers to no case");
        continue;
      }
      bool is_request = kind.starts_with("request-");
      auto& index = is_request ? requests : violations;
      auto it = index.find(m->refs[0]);
      if (it == index.end()) {
        out.rejected.emplace_back(m->id, "refers to unknown case " + m->refs[0]);
        continue;
      }
      // A message applied twice (held by two parties) counts once.
      bool seen = false;
      if (is_request) {
        for (const CaseEvent& e : out.requests[it->second].history) seen |= e.id == m->id;
      } else {
        for (const auto& e : out.violations[it->second].entries) seen |= e.id == m->id;
      }
      if (seen) continue;
      Status s = is_request ? ApplyToRequest(out.requests[it->second], *m)
                            : ApplyToViolation(out.violations[it->second], *m);
      if (!s.ok()) out.rejected.emplace_back(m->id, std::string(s.message()));
    }
  }
  return out;
}

namespace {

std::optional<double> Median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double Seconds(const Timestamp& later, const Timestamp& earlier) {
  return static_cast<double>(later.NanosSince(earlier)) / 1e9;
}

}  // namespace

bool IsOverdue(const RequestCase& c, const base::Timestamp& now) {
  const bool running = c.state == RequestState::kFiled || c.state == RequestState::kAcknowledged;
  return running && ((!c.acknowledged && now > c.acknowledge_due) || now > c.respond_due);
}

std::vector<PartyScore> ComputeScorecard(const Cases& cases, std::span<const std::string> parties,
                                         const Timestamp& now) {
  std::vector<PartyScore> out;
  for (const std::string& party : parties) {
    PartyScore s;
    s.party = party;
    std::vector<double> ack_times, respond_times;
    for (const RequestCase& c : cases.requests) {
      if (c.responder != party) continue;
      ++s.requests_received;
      if (c.acknowledged) {
        ++s.acknowledged;
        if (*c.acknowledged <= c.acknowledge_due) ++s.acknowledged_on_time;
        ack_times.push_back(Seconds(*c.acknowledged, c.filed));
      }
      if (c.responded) {
        ++s.responded;
        if (*c.responded <= c.respond_due) ++s.responded_on_time;
        respond_times.push_back(Seconds(*c.responded, c.filed));
        if (c.outcome == "declined") ++s.declined;
      }
      s.escalations += c.escalations;
      if (IsOverdue(c, now)) ++s.overdue_now;
    }
    for (const ViolationCase& v : cases.violations) {
      if (std::find(v.accused.begin(), v.accused.end(), party) == v.accused.end()) continue;
      ++s.violation_reports_received;
      for (const auto& e : v.entries) {
        if (e.from == party && e.kind == kViolationResponse) {
          ++s.violation_reports_answered;
          break;
        }
      }
    }
    s.median_acknowledge_s = Median(std::move(ack_times));
    s.median_respond_s = Median(std::move(respond_times));
    out.push_back(std::move(s));
  }
  return out;
}

std::string ScorecardJson(std::span<const PartyScore> scores) {
  json::array parties;
  for (const PartyScore& s : scores) {
    json::object o;
    o["party"] = s.party;
    o["requests_received"] = s.requests_received;
    o["acknowledged"] = s.acknowledged;
    o["acknowledged_on_time"] = s.acknowledged_on_time;
    o["responded"] = s.responded;
    o["responded_on_time"] = s.responded_on_time;
    o["median_acknowledge_s"] =
        s.median_acknowledge_s ? json::value(*s.median_acknowledge_s) : json::value(nullptr);
    o["median_respond_s"] =
        s.median_respond_s ? json::value(*s.median_respond_s) : json::value(nullptr);
    o["overdue_now"] = s.overdue_now;
    o["escalations"] = s.escalations;
    o["declined"] = s.declined;
    o["violation_reports_received"] = s.violation_reports_received;
    o["violation_reports_answered"] = s.violation_reports_answered;
    parties.push_back(std::move(o));
  }
  json::object root;
  root["parties"] = std::move(parties);
  return json::serialize(root);
}

}  // namespace detente::accord
