// server/api_mount.cc: the JSON API routes (see api_mount.h; docs/api.md "Accord API").
// Handlers stay thin: parse and check the request, call accord::Exchange / accord::Workflows
// under SharedExchange::With, map the Status, build the JSON. Tested by
// tests/integration/api_test.cc against a real node.
#include "server/api_mount.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accord/accord.h"
#include "accord/case_json.h"
#include "peer/peer.h"
#include "server/policy.h"
#include "stix/stix.h"

namespace detente::server {
namespace {

namespace json = boost::json;
using base::Status;
using base::StatusCode;

// Longest case id accepted in a path (ids are UUIDs; anything longer cannot exist).
constexpr size_t kMaxIdLength = 64;

// The Error for a failed Status; kUnimplemented (a workflow not built into this binary) is 501.
Response ApiError(const Status& s) {
  if (s.code() == StatusCode::kUnimplemented) {
    return Response::Error(501, "Not Implemented", s.message());
  }
  return Response::FromStatus(s);
}

Response JsonResponse(int status, const json::value& v) {
  return Response::Json(status, json::serialize(v));
}

// Parses a JSON object body: bounded size and depth. Errors: kInvalidArgument naming what is
// wrong, kResourceExhausted (too large).
base::Result<json::object> ParseBody(const Request& request) {
  if (request.body.size() > kMaxApiBodyBytes) {
    return base::ResourceExhaustedError("request body larger than " +
                                        std::to_string(kMaxApiBodyBytes) + " bytes");
  }
  if (!base::IsValidUtf8(request.body)) {
    return base::InvalidArgumentError("request body is not valid UTF-8");
  }
  json::parse_options opt;
  opt.max_depth = kMaxApiJsonDepth;
  json::error_code ec;
  json::value v = json::parse(request.body, ec, {}, opt);
  if (ec) {
    return base::InvalidArgumentError("request body is not valid JSON: " + ec.message());
  }
  if (!v.is_object()) return base::InvalidArgumentError("request body must be a JSON object");
  return std::move(v.as_object());
}

// Member `name` of `o` as a string; "" (and ok) when absent and not required.
base::Result<std::string> StringMember(const json::object& o, std::string_view name,
                                       bool required) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || (v->is_null() && !required)) {
    if (required) return base::InvalidArgumentError("/" + std::string(name) + ": required");
    return std::string();
  }
  if (!v->is_string()) {
    return base::InvalidArgumentError("/" + std::string(name) + ": must be a string");
  }
  return std::string(v->as_string());
}

// Member "body": a JSON object, serialised.
base::Result<std::string> BodyMember(const json::object& o) {
  const json::value* v = o.if_contains("body");
  if (v == nullptr) return base::InvalidArgumentError("/body: required (a JSON object)");
  if (!v->is_object()) return base::InvalidArgumentError("/body: must be a JSON object");
  return json::serialize(*v);
}

// Refuses members outside `allowed` (a typo should not be silently ignored).
Status CheckMembers(const json::object& o, std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
      std::string what = "/";
      what.append(kv.key().data(), kv.key().size()).append(": unknown member");
      return base::InvalidArgumentError(what);
    }
  }
  return base::OkStatus();
}

// The query string as name -> value (percent-decoded; '+' is a space). Errors:
// kInvalidArgument (bad escape, a parameter not in `allowed`, or one given twice).
base::Result<std::map<std::string, std::string>> ParseQuery(
    std::string_view query, std::initializer_list<std::string_view> allowed) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string raw_name(pair.substr(0, eq));
    std::string raw_value(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    std::replace(raw_value.begin(), raw_value.end(), '+', ' ');
    ASSIGN_OR_RETURN(std::string name, PercentDecode(raw_name));
    ASSIGN_OR_RETURN(std::string value, PercentDecode(raw_value));
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return base::InvalidArgumentError("unknown query parameter \"" + name.substr(0, 64) +
                                        "\" (allowed: " + (list.empty() ? "none" : list) + ")");
    }
    if (!out.emplace(name, value).second) {
      return base::InvalidArgumentError("query parameter \"" + name + "\" given twice");
    }
  }
  return out;
}

// What the API's user may read. TLP content is guarded as in the TAXII collections (deny by
// default): the TLP policy of the pseudo-collection "accord" (policy.h; `detente collection
// policy accord --red-users U`) names who sees TLP:RED and TLP:AMBER+STRICT cases and
// messages; for anyone else their bodies, signed envelopes, titles and summaries are withheld
// (ids, parties, states and times stay: the hotline and scorecard show as much to any party).
struct Reader {
  std::string user;
  std::optional<stix::TlpLevel> ceiling;  // nullopt: every level

  bool May(std::string_view tlp) const {
    if (!ceiling) return true;
    for (auto l : {stix::TlpLevel::kClear, stix::TlpLevel::kGreen, stix::TlpLevel::kAmber,
                   stix::TlpLevel::kAmberStrict, stix::TlpLevel::kRed}) {
      if (stix::TlpLevelName(l) == tlp) return l <= *ceiling;
    }
    return false;  // not a TLP level an envelope can carry: show nothing
  }
  std::string Withheld(std::string_view tlp) const {
    std::string level(tlp.substr(0, 32));
    for (char& ch : level) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return "TLP:" + level + " content withheld from user " + user +
           ": the TLP policy of \"accord\" does not name this user (detente collection policy "
           "accord --" +
           (tlp == "amber+strict" ? "amber-strict" : "red") + "-users ...)";
  }
};

base::Result<Reader> ReaderOf(accord::Exchange& ex, const Request& request) {
  Reader r;
  r.user = request.principal ? request.principal->name : std::string();
  ASSIGN_OR_RETURN(std::optional<TlpPolicy> policy, GetTlpPolicy(ex.connection(), kAccordGrant));
  r.ceiling = MaxTlpFor(policy, r.user);
  return r;
}

// The TLP of the message that opened case `id` ("" when the node does not hold it).
base::Result<std::string> CaseTlp(accord::Exchange& ex, std::string_view id) {
  ASSIGN_OR_RETURN(auto msg, ex.FindMessage(id));
  return msg ? msg->tlp : std::string();
}

// The API's view of a case: accord's, with the title or summary withheld from a reader the
// accord policy does not allow at the case's TLP.
json::object RequestJson(const accord::RequestCase& c, const base::Timestamp& now,
                         const Reader& reader, std::string_view tlp) {
  json::object o = accord::RequestCaseJson(c, now);
  if (!reader.May(tlp)) o["title"] = reader.Withheld(tlp);
  return o;
}

json::object ViolationJson(const accord::ViolationCase& v, const Reader& reader,
                           std::string_view tlp) {
  json::object o = accord::ViolationCaseJson(v);
  if (!reader.May(tlp)) o["summary"] = reader.Withheld(tlp);
  return o;
}

// M: one message with its signed envelope and its proof of inclusion in the sender's log.
base::Result<json::object> MessageJson(accord::Exchange& ex, std::string_view id,
                                       const Reader& reader) {
  ASSIGN_OR_RETURN(auto msg, ex.FindMessage(id));
  if (!msg) return base::NotFoundError("message " + std::string(id) + " is not held");
  ASSIGN_OR_RETURN(auto proof, ex.ProveMessage(id));
  const bool may = reader.May(msg->tlp);
  json::value body = may ? json::parse(msg->body)  // canonical JSON written by the exchange
                         : json::value(json::object{{"withheld", reader.Withheld(msg->tlp)}});
  json::value p = nullptr;
  if (proof) {
    json::array inclusion;
    for (const auto& h : proof->inclusion) inclusion.emplace_back(base::HexEncode(h));
    p = json::object{{"checkpoint", proof->checkpoint},
                     {"index", proof->index},
                     {"inclusion", std::move(inclusion)}};
  }
  return json::object{
      {"id", msg->id},         {"from", msg->from},       {"to", accord::StringsJson(msg->to)},
      {"kind", msg->kind},     {"created", msg->created}, {"seq", msg->seq},
      {"tlp", msg->tlp},       {"body", std::move(body)}, {"envelope", may ? msg->envelope : ""},
      {"proof", std::move(p)}, {"withheld", !may}};
}

base::Result<json::array> MessagesJson(accord::Exchange& ex, const std::vector<std::string>& ids,
                                       const Reader& reader) {
  json::array out;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(json::object m, MessageJson(ex, id, reader));
    out.emplace_back(std::move(m));
  }
  return out;
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

bool CanAct(const Principal& p) { return p.CanWrite(kAccordGrant); }

std::optional<Response> RequireAct(const Request& request) {
  if (request.principal && CanAct(*request.principal)) return std::nullopt;
  return Response::Error(403, "Forbidden",
                         "user " + (request.principal ? request.principal->name : std::string()) +
                             " may read but not act: acting needs write on \"accord\" (detente "
                             "user grant NAME accord --write)");
}

}  // namespace

ApiMount::ApiMount(peer::SharedExchange* exchange, UserStore* users, std::function<void()> notify)
    : exchange_(exchange), users_(users), notify_(std::move(notify)) {}

base::Status ApiMount::AddRoutes(Router& router) {
  auto add = [&](const char* method, const char* path, Access access, auto member) {
    return router.Add(method, path, access,
                      [this, member](const Request& req) { return (this->*member)(req); });
  };
  RETURN_IF_ERROR(add("POST", "/api/v1/login", Access::kPublic, &ApiMount::Login));
  RETURN_IF_ERROR(router.Add("GET", "/api/v1/me", Access::kAuthenticated,
                             [this](const Request& req) { return Me(req); }));
  RETURN_IF_ERROR(add("GET", "/api/v1/overview", Access::kAuthenticated, &ApiMount::Overview));
  RETURN_IF_ERROR(add("GET", "/api/v1/requests", Access::kAuthenticated, &ApiMount::ListRequests));
  RETURN_IF_ERROR(add("POST", "/api/v1/requests", Access::kAuthenticated, &ApiMount::FileRequest));
  RETURN_IF_ERROR(
      add("GET", "/api/v1/requests/{id}", Access::kAuthenticated, &ApiMount::GetRequest));
  RETURN_IF_ERROR(router.Add("POST", "/api/v1/requests/{id}/actions", Access::kAuthenticated,
                             [this](const Request& req) { return Act(req, "request-"); }));
  RETURN_IF_ERROR(
      add("GET", "/api/v1/violations", Access::kAuthenticated, &ApiMount::ListViolations));
  RETURN_IF_ERROR(
      add("POST", "/api/v1/violations", Access::kAuthenticated, &ApiMount::ReportViolation));
  RETURN_IF_ERROR(
      add("GET", "/api/v1/violations/{id}", Access::kAuthenticated, &ApiMount::GetViolation));
  RETURN_IF_ERROR(router.Add("POST", "/api/v1/violations/{id}/actions", Access::kAuthenticated,
                             [this](const Request& req) { return Act(req, "violation-"); }));
  RETURN_IF_ERROR(add("GET", "/api/v1/shares", Access::kAuthenticated, &ApiMount::Shares));
  RETURN_IF_ERROR(add("GET", "/api/v1/sightings", Access::kAuthenticated, &ApiMount::Sightings));
  RETURN_IF_ERROR(add("GET", "/api/v1/scorecard", Access::kAuthenticated, &ApiMount::Scorecard));
  RETURN_IF_ERROR(add("POST", "/api/v1/verify", Access::kAuthenticated, &ApiMount::Verify));
  return base::OkStatus();
}

Response ApiMount::Login(const Request& request) {
  auto body = ParseBody(request);
  if (!body.ok()) return ApiError(body.status());
  if (Status s = CheckMembers(*body, {"user", "password"}); !s.ok()) return ApiError(s);
  auto user = StringMember(*body, "user", true);
  if (!user.ok()) return ApiError(user.status());
  auto password = StringMember(*body, "password", true);
  if (!password.ok()) return ApiError(password.status());
  // Each check runs Argon2id (64 MiB): bound how many run at once.
  if (logins_in_flight_.fetch_add(1) >= kMaxConcurrentLogins) {
    logins_in_flight_.fetch_sub(1);
    Response r =
        Response::Error(429, "Too Many Requests", "too many logins in progress; retry in a second");
    r.SetHeader("Retry-After", "1");
    return r;
  }
  auto principal = users_->VerifyPassword(*user, *password);
  logins_in_flight_.fetch_sub(1);
  if (!principal.ok()) {
    if (principal.status().code() != StatusCode::kUnauthenticated) {
      return ApiError(principal.status());
    }
    Response r = Response::Error(401, "Unauthorized", principal.status().message());
    r.SetHeader("WWW-Authenticate", "Bearer realm=\"detente\"");
    return r;
  }
  auto token = users_->IssueToken(principal->name);
  if (!token.ok()) return ApiError(token.status());
  return JsonResponse(
      200,
      json::object{{"token", *token}, {"user", principal->name}, {"can_act", CanAct(*principal)}});
}

Response ApiMount::Me(const Request& request) const {
  const Principal& p = *request.principal;
  return JsonResponse(200, json::object{{"user", p.name}, {"can_act", CanAct(p)}});
}

Response ApiMount::Overview(const Request& request) {
  auto q = ParseQuery(request.query, {});
  if (!q.ok()) return ApiError(q.status());
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    const base::Timestamp now = ex.clock().Now();
    const accord::Accord& a = ex.accord();
    json::array parties;
    for (const auto& p : a.parties) {
      parties.emplace_back(
          json::object{{"name", p.name}, {"endpoints", accord::StringsJson(p.endpoints)}});
    }
    json::array commitments;
    for (const auto& c : a.commitments) {
      commitments.emplace_back(json::object{{"id", c.id}, {"text", c.text}});
    }
    json::object deadlines;
    for (const auto& [priority, d] : a.deadlines) {
      deadlines[priority] =
          json::object{{"acknowledge_s", d.acknowledge_s}, {"respond_s", d.respond_s}};
    }
    RETURN_IF_ERROR(ex.log().Reload());
    // Who cosigned this party's log (the largest size each witness cosigned).
    json::array cosigners;
    {
      ASSIGN_OR_RETURN(auto rows, ex.connection().Query("SELECT witness FROM accord_cosignatures "
                                                        "GROUP BY witness ORDER BY witness"));
      while (rows->Next()) cosigners.emplace_back(std::string(rows->Text(0)));
      RETURN_IF_ERROR(rows->status());
    }
    json::array logs;
    logs.emplace_back(json::object{{"party", ex.party()},
                                   {"size", ex.log().size()},
                                   {"checkpoint", ex.log().checkpoint()},
                                   {"received_at", nullptr},
                                   {"own", true},
                                   {"cosignatures", std::move(cosigners)}});
    ASSIGN_OR_RETURN(auto peers, ex.PeerLogs());
    for (const auto& p : peers) {
      logs.emplace_back(json::object{{"party", p.party},
                                     {"size", p.size},
                                     {"checkpoint", p.checkpoint},
                                     {"received_at", p.received_at},
                                     {"own", false},
                                     {"cosignatures", json::array()}});
    }
    json::array alerts;
    ASSIGN_OR_RETURN(auto al, ex.Alerts());
    for (const auto& x : al) {
      alerts.emplace_back(json::object{{"id", x.id},
                                       {"kind", x.kind},
                                       {"party", x.party},
                                       {"detail", x.detail},
                                       {"created", x.created}});
    }
    json::array undelivered;
    ASSIGN_OR_RETURN(auto und, ex.Undelivered());
    for (const auto& d : und) {
      const char* state = d.state == accord::DeliveryState::State::kPending     ? "pending"
                          : d.state == accord::DeliveryState::State::kDelivered ? "delivered"
                                                                                : "failed";
      undelivered.emplace_back(json::object{{"id", d.id},
                                            {"recipient", d.recipient},
                                            {"state", state},
                                            {"attempts", d.attempts},
                                            {"next_attempt", d.next_attempt},
                                            {"last_error", d.last_error}});
    }
    json::array overdue;
    auto cases = accord::Workflows(ex).LoadCases();
    if (cases.ok()) {
      for (const auto& c : cases->requests) {
        if (accord::IsOverdue(c, now)) overdue.emplace_back(c.id);
      }
    } else if (cases.status().code() != StatusCode::kUnimplemented) {
      return cases.status();
    }
    return json::object{{"now", now.FormatMillis()},
                        {"party", ex.party()},
                        {"accord", json::object{{"id", a.Hash()},
                                                {"name", a.name},
                                                {"parties", std::move(parties)},
                                                {"commitments", std::move(commitments)},
                                                {"deadlines", std::move(deadlines)},
                                                {"tlp_default", a.tlp_default}}},
                        {"logs", std::move(logs)},
                        {"alerts", std::move(alerts)},
                        {"undelivered", std::move(undelivered)},
                        {"overdue", std::move(overdue)}};
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

Response ApiMount::ListRequests(const Request& request) {
  auto q = ParseQuery(request.query, {"state", "priority", "party"});
  if (!q.ok()) return ApiError(q.status());
  std::string state = (*q)["state"], priority = (*q)["priority"], party = (*q)["party"];
  if (!state.empty()) {
    bool known = false;
    for (auto s : {accord::RequestState::kFiled, accord::RequestState::kAcknowledged,
                   accord::RequestState::kInfoNeeded, accord::RequestState::kResponded,
                   accord::RequestState::kClosed, accord::RequestState::kWithdrawn}) {
      known |= accord::RequestStateName(s) == state;
    }
    if (!known) {
      return Response::Error(400, "Bad Request",
                             "state \"" + state.substr(0, 64) +
                                 "\" is not a request state (filed, acknowledged, info-needed, "
                                 "responded, closed, withdrawn)");
    }
  }
  if (!priority.empty() && std::find(std::begin(accord::kPriorities), std::end(accord::kPriorities),
                                     priority) == std::end(accord::kPriorities)) {
    return Response::Error(
        400, "Bad Request",
        "priority \"" + priority.substr(0, 64) + "\" is not one of critical, high, medium, low");
  }
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    const base::Timestamp now = ex.clock().Now();
    ASSIGN_OR_RETURN(Reader reader, ReaderOf(ex, request));
    ASSIGN_OR_RETURN(accord::Cases cases, accord::Workflows(ex).LoadCases());
    json::array list;
    for (const auto& c : cases.requests) {
      if (!state.empty() && accord::RequestStateName(c.state) != state) continue;
      if (!priority.empty() && c.priority != priority) continue;
      if (!party.empty() && c.requester != party && c.responder != party) continue;
      ASSIGN_OR_RETURN(std::string tlp, CaseTlp(ex, c.id));
      list.emplace_back(RequestJson(c, now, reader, tlp));
    }
    return json::object{{"now", now.FormatMillis()}, {"requests", std::move(list)}};
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

Response ApiMount::GetRequest(const Request& request) {
  std::string id(request.Param("id"));
  if (!ValidId(id)) return Response::Error(404, "Not Found", "no request with this id");
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    const base::Timestamp now = ex.clock().Now();
    ASSIGN_OR_RETURN(Reader reader, ReaderOf(ex, request));
    ASSIGN_OR_RETURN(accord::Cases cases, accord::Workflows(ex).LoadCases());
    for (const auto& c : cases.requests) {
      if (c.id != id) continue;
      std::vector<std::string> ids;
      for (const auto& e : c.history) ids.push_back(e.id);
      ASSIGN_OR_RETURN(json::array messages, MessagesJson(ex, ids, reader));
      ASSIGN_OR_RETURN(std::string tlp, CaseTlp(ex, c.id));
      return json::object{{"now", now.FormatMillis()},
                          {"request", RequestJson(c, now, reader, tlp)},
                          {"messages", messages}};
    }
    return base::NotFoundError("no request " + id + " on this node");
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

Response ApiMount::FileRequest(const Request& request) {
  if (auto denied = RequireAct(request)) return *denied;
  auto body = ParseBody(request);
  if (!body.ok()) return ApiError(body.status());
  if (Status s = CheckMembers(*body, {"responder", "tlp", "body"}); !s.ok()) return ApiError(s);
  auto responder = StringMember(*body, "responder", true);
  if (!responder.ok()) return ApiError(responder.status());
  auto tlp = StringMember(*body, "tlp", false);
  if (!tlp.ok()) return ApiError(tlp.status());
  auto inner = BodyMember(*body);
  if (!inner.ok()) return ApiError(inner.status());
  auto env = exchange_->With([&](accord::Exchange& ex) {
    return accord::Workflows(ex).FileRequest(*responder, *inner, *tlp);
  });
  if (!env.ok()) return ApiError(env.status());
  if (notify_) notify_();
  return JsonResponse(201, json::object{{"id", env->id}});
}

Response ApiMount::ListViolations(const Request& request) {
  auto q = ParseQuery(request.query, {});
  if (!q.ok()) return ApiError(q.status());
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    ASSIGN_OR_RETURN(Reader reader, ReaderOf(ex, request));
    ASSIGN_OR_RETURN(accord::Cases cases, accord::Workflows(ex).LoadCases());
    json::array list;
    for (const auto& v : cases.violations) {
      ASSIGN_OR_RETURN(std::string tlp, CaseTlp(ex, v.id));
      list.emplace_back(ViolationJson(v, reader, tlp));
    }
    return json::object{{"violations", std::move(list)}};
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

Response ApiMount::GetViolation(const Request& request) {
  std::string id(request.Param("id"));
  if (!ValidId(id)) return Response::Error(404, "Not Found", "no violation report with this id");
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    ASSIGN_OR_RETURN(Reader reader, ReaderOf(ex, request));
    ASSIGN_OR_RETURN(accord::Cases cases, accord::Workflows(ex).LoadCases());
    for (const auto& v : cases.violations) {
      if (v.id != id) continue;
      std::vector<std::string> ids = {v.id};
      for (const auto& e : v.entries) ids.push_back(e.id);
      ASSIGN_OR_RETURN(json::array messages, MessagesJson(ex, ids, reader));
      ASSIGN_OR_RETURN(std::string tlp, CaseTlp(ex, v.id));
      return json::object{{"violation", ViolationJson(v, reader, tlp)},
                          {"messages", std::move(messages)}};
    }
    return base::NotFoundError("no violation report " + id + " on this node");
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

Response ApiMount::ReportViolation(const Request& request) {
  if (auto denied = RequireAct(request)) return *denied;
  auto body = ParseBody(request);
  if (!body.ok()) return ApiError(body.status());
  if (Status s = CheckMembers(*body, {"accused", "tlp", "body"}); !s.ok()) return ApiError(s);
  std::vector<std::string> accused;
  const json::value* a = body->if_contains("accused");
  if (a == nullptr || !a->is_array() || a->as_array().empty()) {
    return Response::Error(400, "Bad Request",
                           "/accused: required (a non-empty array of party names)");
  }
  for (size_t i = 0; i < a->as_array().size(); ++i) {
    const json::value& e = a->as_array()[i];
    if (!e.is_string()) {
      return Response::Error(400, "Bad Request",
                             "/accused/" + std::to_string(i) + ": must be a string");
    }
    accused.emplace_back(e.as_string());
  }
  auto tlp = StringMember(*body, "tlp", false);
  if (!tlp.ok()) return ApiError(tlp.status());
  auto inner = BodyMember(*body);
  if (!inner.ok()) return ApiError(inner.status());
  auto env = exchange_->With([&](accord::Exchange& ex) {
    return accord::Workflows(ex).ReportViolation(accused, *inner, *tlp);
  });
  if (!env.ok()) return ApiError(env.status());
  if (notify_) notify_();
  return JsonResponse(201, json::object{{"id", env->id}});
}

Response ApiMount::Act(const Request& request, std::string_view prefix) {
  if (auto denied = RequireAct(request)) return *denied;
  std::string id(request.Param("id"));
  if (!ValidId(id)) return Response::Error(404, "Not Found", "no case with this id");
  auto body = ParseBody(request);
  if (!body.ok()) return ApiError(body.status());
  if (Status s = CheckMembers(*body, {"kind", "body"}); !s.ok()) return ApiError(s);
  auto kind = StringMember(*body, "kind", true);
  if (!kind.ok()) return ApiError(kind.status());
  if (!kind->starts_with(prefix) || *kind == accord::kRequestFile ||
      *kind == accord::kViolationReport) {
    return Response::Error(400, "Bad Request",
                           "/kind: \"" + kind->substr(0, 64) + "\" is not a later step of a " +
                               (prefix == "request-" ? "request (request-ack, ...)"
                                                     : "violation report (violation-response, "
                                                       "violation-dispute)"));
  }
  std::string inner = "{}";
  if (body->if_contains("body") != nullptr) {
    auto b = BodyMember(*body);
    if (!b.ok()) return ApiError(b.status());
    inner = *b;
  }
  auto env = exchange_->With([&](accord::Exchange& ex) -> base::Result<accord::Envelope> {
    // The case must be of the route's kind: a violation id under /requests/ is not found.
    ASSIGN_OR_RETURN(accord::Cases cases, accord::Workflows(ex).LoadCases());
    bool found = false;
    if (prefix == "request-") {
      for (const auto& c : cases.requests) found |= c.id == id;
    } else {
      for (const auto& v : cases.violations) found |= v.id == id;
    }
    if (!found) {
      return base::NotFoundError(
          std::string(prefix == "request-" ? "no request " : "no violation report ") + id +
          " on this node");
    }
    return accord::Workflows(ex).Act(id, *kind, inner);
  });
  if (!env.ok()) return ApiError(env.status());
  if (notify_) notify_();
  return JsonResponse(201, json::object{{"id", env->id}});
}

Response ApiMount::Shares(const Request& request) {
  auto q = ParseQuery(request.query, {});
  if (!q.ok()) return ApiError(q.status());
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    ASSIGN_OR_RETURN(auto shares, accord::Workflows(ex).Shares());
    json::array list;
    for (const auto& s : shares) {
      json::object o = accord::ShareJson(s);
      o["outgoing"] = s.outgoing;
      list.emplace_back(std::move(o));
    }
    return json::object{{"shares", std::move(list)}};
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

Response ApiMount::Sightings(const Request& request) {
  auto q = ParseQuery(request.query, {});
  if (!q.ok()) return ApiError(q.status());
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    ASSIGN_OR_RETURN(auto sightings, accord::Workflows(ex).Sightings());
    json::array list;
    for (const auto& s : sightings) {
      list.emplace_back(accord::SightingJson(s));
    }
    return json::object{{"sightings", std::move(list)}};
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

Response ApiMount::Scorecard(const Request& request) {
  auto q = ParseQuery(request.query, {"at"});
  if (!q.ok()) return ApiError(q.status());
  std::optional<base::Timestamp> at;
  if (!(*q)["at"].empty()) {
    auto t = base::Timestamp::Parse((*q)["at"]);
    if (!t.ok()) return Response::Error(400, "Bad Request", "at: " + t.status().message());
    at = *t;
  }
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    const base::Timestamp now = at.value_or(ex.clock().Now());
    ASSIGN_OR_RETURN(accord::Cases cases, accord::Workflows(ex).LoadCases());
    std::vector<std::string> parties;
    for (const auto& p : ex.accord().parties) parties.push_back(p.name);
    std::vector<accord::PartyScore> scores = accord::ComputeScorecard(cases, parties, now);
    json::value table = json::parse(accord::ScorecardJson(scores));
    json::array series;
    for (const auto& c : cases.requests) {
      auto seconds = [&](const std::optional<base::Timestamp>& t) -> json::value {
        if (!t) return nullptr;
        return static_cast<double>(t->NanosSince(c.filed)) / 1e9;
      };
      series.emplace_back(json::object{{"party", c.responder},
                                       {"request", c.id},
                                       {"filed", c.filed.FormatMillis()},
                                       {"acknowledge_s", seconds(c.acknowledged)},
                                       {"respond_s", seconds(c.responded)}});
    }
    return json::object{{"now", now.FormatMillis()},
                        {"parties", std::move(table.as_object()["parties"])},
                        {"series", std::move(series)},
                        {"rejected", static_cast<int64_t>(cases.rejected.size())}};
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

Response ApiMount::Verify(const Request& request) {
  (void)request;
  if (verifying_.exchange(true)) {
    Response r = Response::Error(429, "Too Many Requests",
                                 "a verification is already running on this node; retry when it "
                                 "has finished");
    r.SetHeader("Retry-After", "5");
    return r;
  }
  struct Done {
    std::atomic<bool>* flag;
    ~Done() { flag->store(false); }
  } done{&verifying_};
  auto out = exchange_->With([&](accord::Exchange& ex) -> base::Result<json::object> {
    ASSIGN_OR_RETURN(accord::VerifyReport r, ex.Verify());
    json::array findings;
    for (const auto& f : r.findings) {
      findings.emplace_back(json::object{{"what", f.what}, {"where", f.where}});
    }
    return json::object{{"ok", r.findings.empty()},       {"messages", r.messages},
                        {"receipts", r.receipts},         {"checkpoints", r.checkpoints},
                        {"log_entries", r.log_entries},   {"cosignatures", r.cosignatures},
                        {"findings", std::move(findings)}};
  });
  if (!out.ok()) return ApiError(out.status());
  return JsonResponse(200, *out);
}

}  // namespace detente::server
