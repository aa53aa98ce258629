// cli/request_cmd.cc: `detente request file|ack|info-needed|info|respond|escalate|withdraw|
// close|feedback|status|list|show`, `detente violation report|respond|dispute|list|show` and
// `detente scorecard`: flags -> accord::Workflows on the node -> exit code. Every step is
// checked against the case as this node holds it before it is signed: a step the state machine
// refuses exits 1 with its reason and sends nothing; an unknown case exits 2. Formats and the
// rules of each step: docs/formats/workflows.md.
#include <algorithm>
#include <boost/json.hpp>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "accord/accord.h"
#include "accord/case_json.h"
#include "cli/cli.h"
#include "server/server.h"

namespace detente::cli {
namespace {

namespace json = boost::json;
using accord::RequestCase;
using accord::RequestState;
using accord::ViolationCase;

struct Flags {
  std::string dir, id, body_file, tlp, to, state, party, priority, at;
  bool json = false;
  // request file
  std::string category, title, description, legal_basis, period_start, period_end, assistance;
  std::vector<std::string> identifiers, targets, evidence;
  int64_t retention_days = 0;
  CLI::Option* retention_opt = nullptr;
  // later steps
  std::string note, question, answer, outcome, reason, details, resolution, statement, use, status,
      deadline;
  // violations
  std::vector<std::string> accused;
  std::string commitment, summary, attribution;
};

int UsageError(std::string_view command, std::string_view message) {
  std::cerr << "detente " << command << ": " << message << "\n";
  return kExitUsage;
}

std::string Short(std::string_view id) { return std::string(id.substr(0, 8)); }

std::string Time(const std::optional<base::Timestamp>& t) {
  return t ? t->FormatMillis() : std::string("-");
}

// The node's exchange, opened as every command does (config, key, clock).
base::Result<std::unique_ptr<accord::Exchange>> Open(const Flags& f) {
  return server::OpenNodeExchange(f.dir);
}

// The JSON object in --body FILE|- (an empty object when no --body).
base::Result<json::object> ReadBody(const Flags& f) {
  if (f.body_file.empty()) return json::object();
  ASSIGN_OR_RETURN(std::string text, ReadInput(f.body_file));
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) {
    return base::InvalidArgumentError("--body " + f.body_file + ": not JSON: " + ec.message());
  }
  if (!v.is_object())
    return base::InvalidArgumentError("--body " + f.body_file + ": not an object");
  return std::move(v.as_object());
}

void SetIf(json::object& o, std::string_view member, const std::string& value) {
  if (!value.empty()) o[member] = value;
}

bool IsOpen(const RequestCase& c) {
  return c.state == RequestState::kFiled || c.state == RequestState::kAcknowledged ||
         c.state == RequestState::kInfoNeeded;
}

// Open and past a deadline that is running (the respond clock stops while info is needed).
bool Overdue(const RequestCase& c, const base::Timestamp& now) { return accord::IsOverdue(c, now); }

json::object RequestJson(const RequestCase& c, const base::Timestamp& now) {
  return accord::RequestCaseJson(c, now);
}

json::object ViolationJson(const ViolationCase& v) { return accord::ViolationCaseJson(v); }

json::object MessageJson(const accord::Message& m) {
  boost::system::error_code ec;
  json::value body = json::parse(m.body, ec);
  if (ec) body = json::object();
  return json::object{
      {"id", m.id},     {"from", m.from},          {"to", accord::StringsJson(m.to)},
      {"kind", m.kind}, {"created", m.created},    {"seq", m.seq},
      {"tlp", m.tlp},   {"body", std::move(body)}, {"direction", m.outgoing ? "sent" : "received"}};
}

// Finds the case whose id is `id` or starts with it (at least 4 characters, unique).
template <typename Case>
base::Result<const Case*> FindCase(const std::vector<Case>& cases, const std::string& id,
                                   std::string_view what, const std::string& dir) {
  const Case* found = nullptr;
  int matches = 0;
  for (const Case& c : cases) {
    if (c.id == id) return &c;
    if (id.size() >= 4 && c.id.starts_with(id)) {
      found = &c;
      ++matches;
    }
  }
  if (matches > 1) {
    return base::InvalidArgumentError("\"" + id + "\" names " + std::to_string(matches) + " " +
                                      std::string(what) + "s: give more of the id");
  }
  if (found == nullptr) {
    return base::NotFoundError("this node holds no " + std::string(what) + " \"" + id +
                               "\" (see `detente " + (what == "request" ? "request" : "violation") +
                               " list --dir " + dir + "`)");
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// request file / violation report

int PrintSent(const Flags& f, const accord::Envelope& env, std::string_view text,
              json::object extra = {}) {
  if (f.json) {
    json::object o{{"id", env.id},           {"seq", env.seq},
                   {"kind", env.kind},       {"to", accord::StringsJson(env.to)},
                   {"created", env.created}, {"tlp", env.tlp}};
    for (auto& kv : extra) o[kv.key()] = kv.value();
    std::cout << json::serialize(o) << "\n";
  } else {
    std::cout << text << "\n";
  }
  return kExitOk;
}

int RunFile(const Flags& f) {
  constexpr std::string_view cmd = "request file";
  auto body = ReadBody(f);
  if (!body.ok()) return ReportError(cmd, body.status());
  json::object& b = *body;
  SetIf(b, "category", f.category);
  SetIf(b, "priority", f.priority);
  SetIf(b, "title", f.title);
  SetIf(b, "description", f.description);
  SetIf(b, "legal_basis", f.legal_basis);
  SetIf(b, "assistance", f.assistance);
  if (!f.identifiers.empty()) b["identifiers"] = accord::StringsJson(f.identifiers);
  if (!f.targets.empty()) b["targets"] = accord::StringsJson(f.targets);
  if (!f.evidence.empty()) b["evidence"] = accord::StringsJson(f.evidence);
  if (f.retention_opt != nullptr && f.retention_opt->count() > 0) {
    b["retention_days"] = f.retention_days;
  }
  if (!f.period_start.empty() || !f.period_end.empty()) {
    if (f.period_start.empty() || f.period_end.empty()) {
      return UsageError(cmd, "give both --period-start and --period-end (RFC 3339)");
    }
    b["period"] = json::object{{"start", f.period_start}, {"end", f.period_end}};
  }
  if (f.to.empty()) return UsageError(cmd, "--to PARTY is required (the responder)");
  auto ex = Open(f);
  if (!ex.ok()) return ReportError(cmd, ex.status());
  accord::Workflows w(**ex);
  auto env = w.FileRequest(f.to, json::serialize(b), f.tlp);
  if (!env.ok()) return ReportError(cmd, env.status());
  auto cases = w.LoadCases();
  json::object extra;
  std::string due;
  if (cases.ok()) {
    for (const auto& c : cases->requests) {
      if (c.id != env->id) continue;
      extra["acknowledge_due"] = c.acknowledge_due.FormatMillis();
      extra["respond_due"] = c.respond_due.FormatMillis();
      due = "; acknowledge by " + c.acknowledge_due.FormatMillis() + ", respond by " +
            c.respond_due.FormatMillis();
    }
  }
  return PrintSent(f, *env,
                   "filed request " + env->id + " with " + f.to + " (seq " +
                       std::to_string(env->seq) + ")" + due +
                       "\ndelivered by `detente serve` or `detente sync --dir " + f.dir + "`",
                   std::move(extra));
}

int RunReport(const Flags& f) {
  constexpr std::string_view cmd = "violation report";
  auto body = ReadBody(f);
  if (!body.ok()) return ReportError(cmd, body.status());
  json::object& b = *body;
  SetIf(b, "commitment", f.commitment);
  SetIf(b, "summary", f.summary);
  SetIf(b, "attribution", f.attribution);
  if (!f.evidence.empty()) b["evidence"] = accord::StringsJson(f.evidence);
  if (!b.contains("evidence")) b["evidence"] = json::array();
  std::vector<std::string> accused = SplitComma(f.accused);
  if (accused.empty()) return UsageError(cmd, "--against PARTY is required (repeat or comma)");
  auto ex = Open(f);
  if (!ex.ok()) return ReportError(cmd, ex.status());
  auto env = accord::Workflows(**ex).ReportViolation(accused, json::serialize(b), f.tlp);
  if (!env.ok()) return ReportError(cmd, env.status());
  std::string to;
  for (const auto& t : env->to) to += (to.empty() ? "" : ",") + t;
  return PrintSent(f, *env,
                   "reported violation " + env->id + " against " + to + " (seq " +
                       std::to_string(env->seq) + ")");
}

// ---------------------------------------------------------------------------------------------
// Later steps

// Builds the body of `kind` from --body and the step's flags.
base::Result<json::object> StepBody(const Flags& f, std::string_view kind) {
  ASSIGN_OR_RETURN(json::object b, ReadBody(f));
  if (kind == accord::kRequestAck) SetIf(b, "note", f.note);
  if (kind == accord::kRequestInfoNeeded) SetIf(b, "question", f.question);
  if (kind == accord::kRequestInfo) SetIf(b, "answer", f.answer);
  if (kind == accord::kRequestRespond) {
    SetIf(b, "outcome", f.outcome);
    SetIf(b, "reason", f.reason);
    SetIf(b, "details", f.details);
  }
  if (kind == accord::kRequestEscalate) SetIf(b, "deadline", f.deadline);
  if (kind == accord::kRequestWithdraw) SetIf(b, "reason", f.reason);
  if (kind == accord::kRequestClose) {
    SetIf(b, "resolution", f.resolution);
    SetIf(b, "statement", f.statement);
  }
  if (kind == accord::kRequestFeedback) SetIf(b, "use", f.use);
  if (kind == accord::kRequestStatus) SetIf(b, "status", f.status);
  if (kind == accord::kViolationResponse) {
    SetIf(b, "answer", f.answer);
    SetIf(b, "statement", f.statement);
  }
  if (kind == accord::kViolationDispute) SetIf(b, "statement", f.statement);
  return b;
}

int RunStep(const Flags& f, std::string_view kind) {
  const bool is_request = kind.starts_with("request-");
  std::string cmd =
      (is_request ? "request " : "violation ") + std::string(kind.substr(kind.find('-') + 1));
  if (kind == accord::kViolationResponse) cmd = "violation respond";
  auto body = StepBody(f, kind);
  if (!body.ok()) return ReportError(cmd, body.status());
  auto ex = Open(f);
  if (!ex.ok()) return ReportError(cmd, ex.status());
  accord::Workflows w(**ex);
  auto cases = w.LoadCases();
  if (!cases.ok()) return ReportError(cmd, cases.status());
  std::string id;
  if (is_request) {
    auto c = FindCase(cases->requests, f.id, "request", f.dir);
    if (!c.ok()) return ReportError(cmd, c.status());
    id = (*c)->id;
  } else {
    auto c = FindCase(cases->violations, f.id, "violation report", f.dir);
    if (!c.ok()) return ReportError(cmd, c.status());
    id = (*c)->id;
  }
  auto env = w.Act(id, kind, json::serialize(*body));
  if (!env.ok()) {
    base::Status s = env.status();
    if (s.code() == base::StatusCode::kFailedPrecondition) {
      s = base::FailedPreconditionError(std::string(s.message()) + " (nothing sent; see `detente " +
                                        (is_request ? "request" : "violation") + " show " +
                                        Short(id) + " --dir " + f.dir + "`)");
    }
    return ReportError(cmd, s);
  }
  // The case after the step.
  std::string state;
  if (is_request) {
    auto after = w.LoadCases();
    if (after.ok()) {
      for (const auto& c : after->requests) {
        if (c.id == id) state = std::string(accord::RequestStateName(c.state));
      }
    }
  }
  std::string to;
  for (const auto& t : env->to) to += (to.empty() ? "" : ",") + t;
  json::object extra{{"case", id}};
  if (!state.empty()) extra["state"] = state;
  return PrintSent(f, *env,
                   std::string(kind) + " " + env->id + " sent to " + to + " (" +
                       (is_request ? "request " : "violation report ") + Short(id) +
                       (state.empty() ? "" : " now " + state) + ")",
                   std::move(extra));
}

// ---------------------------------------------------------------------------------------------
// list / show

// Escalations this node received about requests it does not hold (it is the hotline for them).
std::vector<accord::Message> Hotline(accord::Exchange& ex, const accord::Cases& cases) {
  std::vector<accord::Message> out;
  for (const auto& rejected : cases.rejected) {
    auto m = ex.FindMessage(rejected.first);
    if (!m.ok() || !m->has_value() || (*m)->kind != accord::kRequestEscalate) continue;
    if ((*m)->outgoing) continue;
    out.push_back(std::move(**m));
  }
  return out;
}

std::string BodyMember(const std::string& body, std::string_view member) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  const json::value* m = v.as_object().if_contains(member);
  return m != nullptr && m->is_string() ? std::string(m->as_string()) : "";
}

int RunRequestList(const Flags& f) {
  constexpr std::string_view cmd = "request list";
  auto ex = Open(f);
  if (!ex.ok()) return ReportError(cmd, ex.status());
  auto cases = accord::Workflows(**ex).LoadCases();
  if (!cases.ok()) return ReportError(cmd, cases.status());
  const base::Timestamp now = (*ex)->clock().Now();
  std::vector<const RequestCase*> shown;
  for (const auto& c : cases->requests) {
    if (!f.state.empty() && accord::RequestStateName(c.state) != f.state) continue;
    if (!f.party.empty() && c.requester != f.party && c.responder != f.party) continue;
    if (!f.priority.empty() && c.priority != f.priority) continue;
    shown.push_back(&c);
  }
  std::vector<accord::Message> hotline = Hotline(**ex, *cases);
  if (f.json) {
    json::array requests;
    for (const RequestCase* c : shown) requests.push_back(RequestJson(*c, now));
    json::array esc;
    for (const auto& m : hotline) {
      json::object o = MessageJson(m);
      esc.push_back(std::move(o));
    }
    std::cout << json::serialize(json::object{{"now", now.FormatMillis()},
                                              {"requests", std::move(requests)},
                                              {"hotline", std::move(esc)}})
              << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "REQUESTER", "RESPONDER", "PRIORITY", "CATEGORY", "STATE", "DUE", "OVERDUE", "TITLE"}};
  for (const RequestCase* c : shown) {
    std::string due = "-";
    if (IsOpen(*c)) {
      due = !c->acknowledged ? "ack " + c->acknowledge_due.FormatWithPrecision(0)
            : c->state == RequestState::kInfoNeeded
                ? "paused"
                : "respond " + c->respond_due.FormatWithPrecision(0);
    }
    std::string title = c->title.size() > 40 ? c->title.substr(0, 37) + "..." : c->title;
    rows.push_back({Short(c->id), c->requester, c->responder, c->priority, c->category,
                    std::string(accord::RequestStateName(c->state)), due,
                    Overdue(*c, now) ? "OVERDUE" : "", title});
  }
  if (shown.empty()) {
    std::cout << "no requests" << (f.state.empty() && f.party.empty() ? "" : " match") << "\n";
  } else {
    PrintTable(rows);
  }
  if (!hotline.empty()) {
    std::cout << "\nhotline: escalations of requests between other parties\n";
    std::vector<std::vector<std::string>> h = {
        {"REQUEST", "FROM", "RESPONDER", "PRIORITY", "CATEGORY", "DEADLINE", "DUE", "RECEIVED"}};
    for (const auto& m : hotline) {
      h.push_back({Short(BodyMember(m.body, "request")), m.from, BodyMember(m.body, "responder"),
                   BodyMember(m.body, "priority"), BodyMember(m.body, "category"),
                   BodyMember(m.body, "deadline"), BodyMember(m.body, "due"), m.created});
    }
    PrintTable(h);
  }
  return kExitOk;
}

int RunRequestShow(const Flags& f) {
  constexpr std::string_view cmd = "request show";
  auto ex = Open(f);
  if (!ex.ok()) return ReportError(cmd, ex.status());
  auto cases = accord::Workflows(**ex).LoadCases();
  if (!cases.ok()) return ReportError(cmd, cases.status());
  auto found = FindCase(cases->requests, f.id, "request", f.dir);
  if (!found.ok()) return ReportError(cmd, found.status());
  const RequestCase& c = **found;
  const base::Timestamp now = (*ex)->clock().Now();
  std::vector<accord::Message> messages;
  for (const auto& e : c.history) {
    auto m = (*ex)->FindMessage(e.id);
    if (!m.ok()) return ReportError(cmd, m.status());
    if (m->has_value()) messages.push_back(std::move(**m));
  }
  if (f.json) {
    json::array ms;
    for (const auto& m : messages) ms.push_back(MessageJson(m));
    std::cout << json::serialize(json::object{{"now", now.FormatMillis()},
                                              {"request", RequestJson(c, now)},
                                              {"messages", std::move(ms)}})
              << "\n";
    return kExitOk;
  }
  std::cout << "request      " << c.id << "\ntitle        " << c.title << "\nrequester    "
            << c.requester << "\nresponder    " << c.responder << "\ncategory     " << c.category
            << "\npriority     " << c.priority << "\nstate        "
            << accord::RequestStateName(c.state) << (Overdue(c, now) ? "  OVERDUE" : "")
            << (c.outcome.empty() ? "" : "\noutcome      " + c.outcome)
            << (c.resolution.empty() ? "" : "\nresolution   " + c.resolution) << "\nfiled        "
            << c.filed.FormatMillis() << "\nacknowledged " << Time(c.acknowledged) << "  (due "
            << c.acknowledge_due.FormatMillis() << ")"
            << "\nresponded    " << Time(c.responded) << "  (due " << c.respond_due.FormatMillis()
            << ")\nclosed       " << Time(c.closed) << "\nescalations  " << c.escalations
            << "\nfeedbacks    " << c.feedbacks << "\n\nhistory\n";
  for (const auto& m : messages) {
    std::cout << "  " << m.created << "  " << m.from << "  " << m.kind << "  " << m.id << "\n"
              << "      " << m.body << "\n";
  }
  return kExitOk;
}

int RunViolationList(const Flags& f) {
  constexpr std::string_view cmd = "violation list";
  auto ex = Open(f);
  if (!ex.ok()) return ReportError(cmd, ex.status());
  auto cases = accord::Workflows(**ex).LoadCases();
  if (!cases.ok()) return ReportError(cmd, cases.status());
  std::vector<const ViolationCase*> shown;
  for (const auto& v : cases->violations) {
    if (!f.party.empty() && v.reporter != f.party &&
        std::find(v.accused.begin(), v.accused.end(), f.party) == v.accused.end()) {
      continue;
    }
    shown.push_back(&v);
  }
  if (f.json) {
    json::array a;
    for (const ViolationCase* v : shown) a.push_back(ViolationJson(*v));
    std::cout << json::serialize(json::object{{"violations", std::move(a)}}) << "\n";
    return kExitOk;
  }
  if (shown.empty()) {
    std::cout << "no violation reports\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "REPORTER", "ACCUSED", "COMMITMENT", "REPORTED", "ANSWERS", "DISPUTES", "SUMMARY"}};
  for (const ViolationCase* v : shown) {
    std::string accused, answers;
    for (const auto& a : v->accused) accused += (accused.empty() ? "" : ",") + a;
    int disputes = 0;
    for (const auto& e : v->entries) {
      if (e.kind == accord::kViolationResponse) {
        answers += (answers.empty() ? "" : ",") + e.from + ":" + e.answer;
      } else {
        ++disputes;
      }
    }
    std::string summary = v->summary.size() > 40 ? v->summary.substr(0, 37) + "..." : v->summary;
    rows.push_back({Short(v->id), v->reporter, accused, v->commitment,
                    v->reported.FormatWithPrecision(0), answers.empty() ? "-" : answers,
                    std::to_string(disputes), summary});
  }
  PrintTable(rows);
  return kExitOk;
}

int RunViolationShow(const Flags& f) {
  constexpr std::string_view cmd = "violation show";
  auto ex = Open(f);
  if (!ex.ok()) return ReportError(cmd, ex.status());
  auto cases = accord::Workflows(**ex).LoadCases();
  if (!cases.ok()) return ReportError(cmd, cases.status());
  auto found = FindCase(cases->violations, f.id, "violation report", f.dir);
  if (!found.ok()) return ReportError(cmd, found.status());
  const ViolationCase& v = **found;
  std::vector<accord::Message> messages;
  std::vector<std::string> ids = {v.id};
  for (const auto& e : v.entries) ids.push_back(e.id);
  for (const auto& id : ids) {
    auto m = (*ex)->FindMessage(id);
    if (!m.ok()) return ReportError(cmd, m.status());
    if (m->has_value()) messages.push_back(std::move(**m));
  }
  if (f.json) {
    json::array ms;
    for (const auto& m : messages) ms.push_back(MessageJson(m));
    std::cout << json::serialize(
                     json::object{{"violation", ViolationJson(v)}, {"messages", std::move(ms)}})
              << "\n";
    return kExitOk;
  }
  std::string accused;
  for (const auto& a : v.accused) accused += (accused.empty() ? "" : ",") + a;
  std::cout << "violation report " << v.id << "\nreporter     " << v.reporter << "\naccused      "
            << accused << "\ncommitment   " << v.commitment << "\nreported     "
            << v.reported.FormatMillis() << "\nsummary      " << v.summary
            << "\n\nclaims and answers (not adjudicated)\n";
  for (const auto& m : messages) {
    std::cout << "  " << m.created << "  " << m.from << "  " << m.kind << "  " << m.id << "\n"
              << "      " << m.body << "\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// scorecard

std::string Seconds(const std::optional<double>& s) {
  if (!s) return "-";
  std::ostringstream o;
  o << std::fixed << std::setprecision(0) << *s;
  return o.str();
}

int RunScorecard(const Flags& f) {
  constexpr std::string_view cmd = "scorecard";
  base::Timestamp at;
  if (!f.at.empty()) {
    auto t = base::Timestamp::Parse(f.at);
    if (!t.ok()) return UsageError(cmd, "--at " + f.at + ": " + std::string(t.status().message()));
    at = *t;
  }
  auto ex = Open(f);
  if (!ex.ok()) return ReportError(cmd, ex.status());
  if (f.at.empty()) at = (*ex)->clock().Now();
  auto cases = accord::Workflows(**ex).LoadCases();
  if (!cases.ok()) return ReportError(cmd, cases.status());
  std::vector<std::string> parties;
  for (const auto& p : (*ex)->accord().parties) parties.push_back(p.name);
  std::vector<accord::PartyScore> scores = accord::ComputeScorecard(*cases, parties, at);
  if (f.json) {
    json::value v = json::parse(accord::ScorecardJson(scores));
    v.as_object()["now"] = at.FormatMillis();
    v.as_object()["rejected"] = static_cast<int64_t>(cases->rejected.size());
    std::cout << json::serialize(v) << "\n";
    return kExitOk;
  }
  std::cout << "scorecard at " << at.FormatMillis() << " (as the receiving party)\n";
  std::vector<std::vector<std::string>> rows = {
      {"PARTY", "RECEIVED", "ACK", "ACK ON TIME", "MEDIAN ACK S", "RESPONDED", "ON TIME",
       "MEDIAN RESPOND S", "OVERDUE", "ESCALATIONS", "DECLINED", "VIOLATIONS", "ANSWERED"}};
  for (const auto& s : scores) {
    rows.push_back({s.party, std::to_string(s.requests_received), std::to_string(s.acknowledged),
                    std::to_string(s.acknowledged_on_time), Seconds(s.median_acknowledge_s),
                    std::to_string(s.responded), std::to_string(s.responded_on_time),
                    Seconds(s.median_respond_s), std::to_string(s.overdue_now),
                    std::to_string(s.escalations), std::to_string(s.declined),
                    std::to_string(s.violation_reports_received),
                    std::to_string(s.violation_reports_answered)});
  }
  PrintTable(rows);
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------

void Common(CLI::App* c, Flags& f) {
  c->add_option("--dir", f.dir, "The node directory")->required();
  c->add_flag("--json", f.json, "Print JSON");
}

void Register(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<Flags>();
  using Kind = std::string_view;

  auto* req = app.add_subcommand(
      "request",
      "Requests for assistance: file, answer, follow and list them (exit 1: refused "
      "by the state machine, nothing sent; exit 2: no such case)");
  req->require_subcommand(1);

  auto* file = req->add_subcommand("file", "File a request for assistance with one party");
  Common(file, *f);
  file->add_option("--to", f->to, "The responding party")->required();
  file->add_option("--body", f->body_file,
                   "FILE (or - for stdin) with the request-file JSON body; flags override its "
                   "members");
  file->add_option("--category", f->category,
                   "preservation|subscriber-info|traffic-data|content|technical-assistance|"
                   "mitigation|takedown|other");
  file->add_option("--priority", f->priority, "critical|high|medium|low (sets the deadlines)");
  file->add_option("--title", f->title, "Short title (1-200 bytes)");
  file->add_option("--description", f->description, "What is asked and why");
  file->add_option("--legal-basis", f->legal_basis, "The article or arrangement relied on");
  file->add_option("--identifier", f->identifiers,
                   "An identifier (IP, account, domain...; repeat) for preservation, "
                   "subscriber-info, traffic-data, content");
  f->retention_opt =
      file->add_option("--retention-days", f->retention_days, "Days to preserve (preservation)");
  file->add_option("--period-start", f->period_start,
                   "RFC 3339 (subscriber-info, "
                   "traffic-data, content)");
  file->add_option("--period-end", f->period_end, "RFC 3339");
  file->add_option("--target", f->targets, "A target (repeat) for takedown, mitigation");
  file->add_option("--assistance", f->assistance, "The assistance asked (technical-assistance)");
  file->add_option("--evidence", f->evidence, "Evidence: a STIX id or reference (repeat)");
  file->add_option("--tlp", f->tlp, "TLP of the request and its steps (default: the accord's)");
  file->callback([f, exit_code] { *exit_code = RunFile(*f); });

  struct StepSpec {
    const char* name;
    Kind kind;
    const char* help;
  };
  const StepSpec steps[] = {
      {"ack", accord::kRequestAck, "Acknowledge a request filed with this party [--note]"},
      {"info-needed", accord::kRequestInfoNeeded,
       "Ask the requester for information (--question); the respond clock stops"},
      {"info", accord::kRequestInfo, "Give the information asked (--answer)"},
      {"respond", accord::kRequestRespond,
       "Answer a request (--outcome completed|partial|no-findings|declined; --reason required "
       "when declined)"},
      {"escalate", accord::kRequestEscalate,
       "Escalate to the hotline (every other party) once a deadline passed (--deadline "
       "acknowledge|respond)"},
      {"withdraw", accord::kRequestWithdraw, "Withdraw a request this party filed [--reason]"},
      {"close", accord::kRequestClose,
       "Close an answered request (--resolution accepted|disputed) [--statement]"},
      {"feedback", accord::kRequestFeedback, "Say how an answer was used (--use)"},
      {"status", accord::kRequestStatus, "Send a status report on a case (--status)"},
  };
  for (const StepSpec& s : steps) {
    auto* c = req->add_subcommand(s.name, s.help);
    Common(c, *f);
    c->add_option("id", f->id, "The request id (or a unique prefix of 4+ characters)")->required();
    c->add_option("--body", f->body_file, "FILE (or -) with the JSON body; flags override");
    Kind kind = s.kind;
    if (kind == accord::kRequestAck) c->add_option("--note", f->note, "A note");
    if (kind == accord::kRequestInfoNeeded) {
      c->add_option("--question", f->question, "What is needed");
    }
    if (kind == accord::kRequestInfo) c->add_option("--answer", f->answer, "The information");
    if (kind == accord::kRequestRespond) {
      c->add_option("--outcome", f->outcome, "completed|partial|no-findings|declined");
      c->add_option("--reason", f->reason, "Why (required when declined)");
      c->add_option("--details", f->details, "What was done or found");
    }
    if (kind == accord::kRequestEscalate) {
      c->add_option("--deadline", f->deadline, "acknowledge|respond");
    }
    if (kind == accord::kRequestWithdraw) c->add_option("--reason", f->reason, "Why");
    if (kind == accord::kRequestClose) {
      c->add_option("--resolution", f->resolution, "accepted|disputed");
      c->add_option("--statement", f->statement, "Why (e.g. what is disputed)");
    }
    if (kind == accord::kRequestFeedback) {
      c->add_option("--use", f->use, "How the answer was used");
    }
    if (kind == accord::kRequestStatus) c->add_option("--status", f->status, "The status");
    c->callback([f, exit_code, kind] { *exit_code = RunStep(*f, kind); });
  }

  auto* list = req->add_subcommand("list", "Requests this node holds (filed, received)");
  Common(list, *f);
  list->add_option("--state", f->state,
                   "Only this state: filed|acknowledged|info-needed|responded|closed|withdrawn");
  list->add_option("--party", f->party, "Only requests filed by or with this party");
  list->add_option("--priority", f->priority, "Only this priority");
  list->callback([f, exit_code] { *exit_code = RunRequestList(*f); });

  auto* show = req->add_subcommand("show", "One request with its history");
  Common(show, *f);
  show->add_option("id", f->id, "The request id (or a unique prefix)")->required();
  show->callback([f, exit_code] { *exit_code = RunRequestShow(*f); });

  auto* vio = app.add_subcommand(
      "violation", "Violation reports: claims and answers side by side, never adjudicated");
  vio->require_subcommand(1);
  auto* report = vio->add_subcommand("report", "Report a violation of a commitment");
  Common(report, *f);
  report->add_option("--against", f->accused, "The accused party (repeat or comma)")->required();
  report->add_option("--commitment", f->commitment, "The accord's commitment id");
  report->add_option("--summary", f->summary, "What happened");
  report->add_option("--evidence", f->evidence, "Evidence (repeat)");
  report->add_option("--attribution", f->attribution, "Who did it, as claimed");
  report->add_option("--body", f->body_file, "FILE (or -) with the JSON body; flags override");
  report->add_option("--tlp", f->tlp, "TLP (default: the accord's)");
  report->callback([f, exit_code] { *exit_code = RunReport(*f); });

  auto* vrespond = vio->add_subcommand("respond",
                                       "Answer a report against this party (--answer "
                                       "acknowledged|denied|investigating|remedied --statement)");
  Common(vrespond, *f);
  vrespond->add_option("id", f->id, "The report id (or a unique prefix)")->required();
  vrespond->add_option("--answer", f->answer, "acknowledged|denied|investigating|remedied");
  vrespond->add_option("--statement", f->statement, "The answer's statement");
  vrespond->add_option("--body", f->body_file, "FILE (or -) with the JSON body");
  vrespond->callback([f, exit_code] { *exit_code = RunStep(*f, accord::kViolationResponse); });

  auto* dispute = vio->add_subcommand(
      "dispute", "Dispute a report or its answers (reporter or accused; --statement)");
  Common(dispute, *f);
  dispute->add_option("id", f->id, "The report id (or a unique prefix)")->required();
  dispute->add_option("--statement", f->statement, "The counter-claim");
  dispute->add_option("--body", f->body_file, "FILE (or -) with the JSON body");
  dispute->callback([f, exit_code] { *exit_code = RunStep(*f, accord::kViolationDispute); });

  auto* vlist = vio->add_subcommand("list", "Violation reports this node holds");
  Common(vlist, *f);
  vlist->add_option("--party", f->party, "Only reports by or against this party");
  vlist->callback([f, exit_code] { *exit_code = RunViolationList(*f); });

  auto* vshow = vio->add_subcommand("show", "One report with its answers and disputes");
  Common(vshow, *f);
  vshow->add_option("id", f->id, "The report id (or a unique prefix)")->required();
  vshow->callback([f, exit_code] { *exit_code = RunViolationShow(*f); });

  auto* score = app.add_subcommand(
      "scorecard",
      "Per party, as recipient: time to acknowledge and respond, on-time share, "
      "overdue, escalations, declined, violation reports (from the messages held)");
  Common(score, *f);
  score->add_option("--at", f->at, "Compute at this RFC 3339 instant (default: now)");
  score->callback([f, exit_code] { *exit_code = RunScorecard(*f); });
}

}  // namespace

DETENTE_REGISTER_COMMANDS(65, Register);

}  // namespace detente::cli
