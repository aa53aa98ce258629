// peer/endpoint.cc: Endpoint, the server side of /peer/v1/ (docs/formats/peer-protocol.md):
// authenticate the Detente-* headers, decode strictly, call the Exchange under its mutex,
// encode. Every client mistake is a 4xx; only store failures are 5xx.
// Tested by tests/peer/endpoint_test.cc and fuzzed by fuzz/peer_inbox_fuzzer.cc.
#include <algorithm>
#include <cctype>

#include "peer/peer.h"

namespace detente::peer {
namespace {

constexpr size_t kMaxTargetBytes = 4096;

PeerResponse ErrorResponse(int status, std::string_view title, std::string_view description,
                           std::optional<uint64_t> held_size = std::nullopt) {
  PeerResponse r;
  r.status = status;
  r.body = EncodeError(status, title, description, held_size);
  return r;
}

PeerResponse FromStatus(const Status& s) {
  switch (s.code()) {
    case base::StatusCode::kInvalidArgument:
    case base::StatusCode::kOutOfRange:
      return ErrorResponse(400, "Bad Request", s.message());
    case base::StatusCode::kUnauthenticated:
      return ErrorResponse(401, "Unauthorized", s.message());
    case base::StatusCode::kPermissionDenied:
      return ErrorResponse(403, "Forbidden", s.message());
    case base::StatusCode::kNotFound:
      return ErrorResponse(404, "Not Found", s.message());
    case base::StatusCode::kAlreadyExists:
    case base::StatusCode::kFailedPrecondition:
      return ErrorResponse(409, "Conflict", s.message());
    case base::StatusCode::kResourceExhausted:
      return ErrorResponse(413, "Payload Too Large", s.message());
    case base::StatusCode::kUnavailable:
      return ErrorResponse(503, "Service Unavailable", s.message());
    default:
      // Store corruption or a bug: the details stay in this node's logs (verify finds them).
      return ErrorResponse(500, "Internal Server Error", "the node could not process the request");
  }
}

// Query parameters of the peer routes: name=decimal pairs, each at most once.
Result<std::map<std::string, uint64_t>> ParseQuery(std::string_view query,
                                                   std::initializer_list<std::string_view> names) {
  std::map<std::string, uint64_t> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view name = part.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    bool known = false;
    for (std::string_view n : names) known = known || n == name;
    std::string shown(name.substr(0, 32));
    for (char& c : shown) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '?';
    }
    if (!known) return base::InvalidArgumentError("unknown query parameter \"" + shown + "\"");
    if (out.count(std::string(name)) != 0) {
      return base::InvalidArgumentError("query parameter " + shown + " given twice");
    }
    if (value.empty() || value.size() > 19) {
      return base::InvalidArgumentError("query parameter " + shown +
                                        ": not a non-negative integer");
    }
    uint64_t v = 0;
    for (char c : value) {
      if (c < '0' || c > '9') {
        return base::InvalidArgumentError("query parameter " + shown +
                                          ": not a non-negative integer");
      }
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out[std::string(name)] = v;
  }
  return out;
}

uint64_t Param(const std::map<std::string, uint64_t>& q, const std::string& name, uint64_t def) {
  auto it = q.find(name);
  return it == q.end() ? def : it->second;
}

// The text of a note (everything up to and including the blank line's first "\n").
std::string_view NoteText(std::string_view note) {
  size_t blank = note.find("\n\n");
  return blank == std::string_view::npos ? note : note.substr(0, blank + 1);
}

// `note` with the signature lines of the cosigned notes in accord_cosignatures for the same
// checkpoint text added (each line once).
Result<std::string> WithCosignatures(store::Connection& conn, const std::string& note,
                                     uint64_t size) {
  ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT note FROM accord_cosignatures WHERE size = $1",
                                         {static_cast<int64_t>(size)}));
  std::string out = note;
  std::string_view text = NoteText(note);
  int lines = static_cast<int>(
      std::count(note.begin() + static_cast<std::ptrdiff_t>(text.size()), note.end(), '\n'));
  while (rows->Next()) {
    std::string_view other = rows->Text(0);
    if (NoteText(other) != text) continue;
    std::string_view sigs = other.substr(std::min(other.size(), text.size() + 1));
    while (!sigs.empty() && lines < ledger::kMaxNoteSignatures) {
      size_t nl = sigs.find('\n');
      if (nl == std::string_view::npos) break;
      std::string_view line = sigs.substr(0, nl + 1);
      sigs.remove_prefix(nl + 1);
      if (line.size() <= 1 || out.find(line) != std::string::npos) continue;
      out += line;
      ++lines;
    }
  }
  RETURN_IF_ERROR(rows->status());
  return out;
}

}  // namespace

std::string_view PeerRequest::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < n.size() && eq; ++i) {
      eq = std::tolower(static_cast<unsigned char>(n[i])) ==
           std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (eq) return v;
  }
  return "";
}

Endpoint::Endpoint(SharedExchange* exchange, const base::Clock* clock)
    : exchange_(exchange), clock_(clock != nullptr ? clock : &base::SystemClock::Default()) {}

PeerResponse Endpoint::Handle(const PeerRequest& request) const {
  if (request.target.size() > kMaxTargetBytes) {
    return ErrorResponse(400, "Bad Request", "request target longer than 4096 bytes");
  }
  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  if (path.substr(0, kPathPrefix.size()) != kPathPrefix) {
    return ErrorResponse(404, "Not Found", "not a peer route (they start with /peer/v1/)");
  }
  std::string_view route = path.substr(kPathPrefix.size());
  struct RouteInfo {
    std::string_view name, method;
  };
  static constexpr RouteInfo kRoutes[] = {
      {"inbox", "POST"},      {"messages", "GET"},     {"checkpoint", "GET"},
      {"consistency", "GET"}, {"cosignature", "POST"}, {"checkpoints", "GET"},
  };
  const RouteInfo* found = nullptr;
  for (const RouteInfo& r : kRoutes) {
    if (r.name == route) found = &r;
  }
  if (found == nullptr) return ErrorResponse(404, "Not Found", "no such peer route");
  if (request.method != found->method) {
    return ErrorResponse(405, "Method Not Allowed",
                         "this route takes " + std::string(found->method) + " only");
  }
  if (request.body.size() > kMaxWireBytes) {
    return ErrorResponse(413, "Payload Too Large",
                         "body larger than " + std::to_string(kMaxWireBytes) + " bytes");
  }
  if (found->method == "GET" && !request.body.empty()) {
    return ErrorResponse(400, "Bad Request", "a GET request has no body");
  }
  auto party = VerifyRequest(exchange_->accord(), request.Header(kPartyHeader),
                             request.Header(kDateHeader), request.Header(kSignatureHeader),
                             request.method, request.target, request.body, *clock_);
  if (!party.ok()) return FromStatus(party.status());
  const std::string& from = *party;
  if (from == exchange_->party()) {
    return ErrorResponse(403, "Forbidden", "requests signed by this node's own party are refused");
  }

  if (route == "inbox") {
    if (!query.empty()) return ErrorResponse(400, "Bad Request", "inbox takes no query");
    auto wire = DecodeDelivery(request.body);
    if (!wire.ok()) return FromStatus(wire.status());
    if (wire->from != from) {
      return ErrorResponse(403, "Forbidden",
                           "delivery \"from\" is not the party that signed the request");
    }
    std::optional<uint64_t> mismatch;
    auto answer = exchange_->With([&](accord::Exchange& ex) -> Result<accord::DeliveryAnswer> {
      auto a = ex.Accept(from, wire->delivery, wire->recipient_held_size);
      if (!a.ok() && a.status().code() == base::StatusCode::kFailedPrecondition &&
          a.status().message().find("held size mismatch") != std::string::npos) {
        auto held = ex.HeldSize(from);
        if (held.ok()) mismatch = *held;
      }
      return a;
    });
    if (!answer.ok()) {
      if (mismatch) {
        return ErrorResponse(409, "Conflict", answer.status().message(), mismatch);
      }
      return FromStatus(answer.status());
    }
    PeerResponse r;
    r.body = EncodeAnswer(*answer);
    return r;
  }

  if (route == "messages") {
    auto params = ParseQuery(query, {"after", "held", "limit"});
    if (!params.ok()) return FromStatus(params.status());
    uint64_t after = Param(*params, "after", 0);
    uint64_t held = Param(*params, "held", 0);
    uint64_t limit = std::min<uint64_t>(Param(*params, "limit", 256), kMaxBatchEnvelopes);
    if (limit == 0) limit = 1;
    auto wire = exchange_->With([&](accord::Exchange& ex) -> Result<WireDelivery> {
      WireDelivery w;
      w.from = ex.party();
      ASSIGN_OR_RETURN(w.delivery, ex.DeliveryFor(from, after, held, limit));
      ASSIGN_OR_RETURN(w.recipient_held_size, ex.HeldSize(from));
      return w;
    });
    if (!wire.ok()) return FromStatus(wire.status());
    std::string body = EncodeDelivery(*wire);
    while (body.size() > kMaxWireBytes && wire->delivery.envelopes.size() > 1) {
      wire->delivery.envelopes.resize(wire->delivery.envelopes.size() / 2);
      body = EncodeDelivery(*wire);
    }
    PeerResponse r;
    r.body = std::move(body);
    return r;
  }

  if (route == "checkpoint") {
    auto params = ParseQuery(query, {"from"});
    if (!params.ok()) return FromStatus(params.status());
    uint64_t from_size = Param(*params, "from", 0);
    auto reply = exchange_->With([&](accord::Exchange& ex) -> Result<CheckpointReply> {
      ledger::Log& log = ex.log();
      // Another process (detente send) may have appended since this process last did.
      RETURN_IF_ERROR(log.Reload());
      CheckpointReply c;
      c.size = log.size();
      if (from_size > c.size) {
        return base::InvalidArgumentError("from=" + std::to_string(from_size) +
                                          " is beyond this log's size " + std::to_string(c.size));
      }
      ASSIGN_OR_RETURN(c.checkpoint, WithCosignatures(ex.connection(), log.checkpoint(), c.size));
      if (from_size > 0 && from_size < c.size) {
        ASSIGN_OR_RETURN(ledger::ConsistencyProof p, log.ProveConsistency(from_size, c.size));
        c.consistency = std::move(p.proof);
      }
      return c;
    });
    if (!reply.ok()) return FromStatus(reply.status());
    PeerResponse r;
    r.body = EncodeCheckpointReply(*reply);
    return r;
  }

  if (route == "consistency") {
    auto params = ParseQuery(query, {"from", "to"});
    if (!params.ok()) return FromStatus(params.status());
    if (params->count("from") == 0 || params->count("to") == 0) {
      return ErrorResponse(400, "Bad Request", "consistency needs from= and to=");
    }
    uint64_t a = params->at("from"), b = params->at("to");
    auto proof = exchange_->With([&](accord::Exchange& ex) -> Result<std::vector<ledger::Hash>> {
      RETURN_IF_ERROR(ex.log().Reload());
      if (a > b || b > ex.log().size()) {
        return base::InvalidArgumentError("no consistency proof from " + std::to_string(a) +
                                          " to " + std::to_string(b) + " (log size " +
                                          std::to_string(ex.log().size()) + ")");
      }
      ASSIGN_OR_RETURN(ledger::ConsistencyProof p, ex.log().ProveConsistency(a, b));
      return std::move(p.proof);
    });
    if (!proof.ok()) return FromStatus(proof.status());
    PeerResponse r;
    r.body = EncodeProof(*proof);
    return r;
  }

  if (route == "cosignature") {
    if (!query.empty()) return ErrorResponse(400, "Bad Request", "cosignature takes no query");
    auto msg = DecodeCosignature(request.body);
    if (!msg.ok()) return FromStatus(msg.status());
    if (msg->witness != from) {
      return ErrorResponse(403, "Forbidden",
                           "cosignature \"witness\" is not the party that signed the request");
    }
    Status s =
        exchange_->With([&](accord::Exchange& ex) { return ex.AddCosignature(from, msg->note); });
    if (!s.ok()) return FromStatus(s);
    PeerResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }

  // checkpoints (gossip)
  if (!query.empty()) return ErrorResponse(400, "Bad Request", "checkpoints takes no query");
  auto entries = exchange_->With([&](accord::Exchange& ex) -> Result<std::vector<GossipEntry>> {
    RETURN_IF_ERROR(ex.log().Reload());
    std::vector<GossipEntry> out;
    out.push_back({ex.party(), ex.log().checkpoint()});
    ASSIGN_OR_RETURN(std::vector<accord::PeerLogState> logs, ex.PeerLogs());
    for (accord::PeerLogState& l : logs) {
      if (!l.checkpoint.empty()) out.push_back({l.party, std::move(l.checkpoint)});
    }
    return out;
  });
  if (!entries.ok()) return FromStatus(entries.status());
  PeerResponse r;
  r.body = EncodeGossip(*entries);
  return r;
}

}  // namespace detente::peer
