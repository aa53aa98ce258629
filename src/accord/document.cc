// accord/document.cc: accord documents, envelopes, entry headers and receipt bodies (the
// pure, transport- and storage-free part of the module). Tested by tests/accord/document_test.cc
// and tests/accord/envelope_test.cc; fuzzed by fuzz/accord_*_fuzzer.cc.
#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <set>

#include "accord/accord.h"
#include "accord/internal.h"

namespace detente::accord {
namespace json = boost::json;

namespace internal {

bool IsSimpleName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsKind(std::string_view kind) {
  if (kind.empty() || kind.size() > 32 || kind[0] < 'a' || kind[0] > 'z') return false;
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool IsTlp(std::string_view tlp) {
  return tlp == "clear" || tlp == "green" || tlp == "amber" || tlp == "amber+strict" ||
         tlp == "red";
}

bool IsLowerHex(std::string_view s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsCanonicalUuid(std::string_view s) {
  auto u = base::Uuid::Parse(s);
  return u.ok() && u->ToString() == s;
}

Result<json::value> ParseJson(std::string_view text, std::string_view what) {
  json::parse_options po;
  po.max_depth = base::kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec, {}, po);
  if (ec) return base::InvalidArgumentError(std::string(what) + ": not JSON: " + ec.message());
  return v;
}

std::vector<std::string> ParseStringList(std::string_view text) {
  std::vector<std::string> out;
  auto v = ParseJson(text, "list");
  if (!v.ok() || !v->is_array()) return out;
  for (const auto& e : v->as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
  }
  return out;
}

std::string Canonical(const json::value& v) {
  auto c = base::CanonicalizeJson(json::serialize(v));
  DETENTE_CHECK(c.ok());
  return *c;
}

std::string HexList(std::span<const ledger::Hash> hashes) {
  json::array a;
  for (const auto& h : hashes) a.emplace_back(base::HexEncode(h));
  return json::serialize(a);
}

Result<std::vector<ledger::Hash>> ParseHexList(std::string_view text) {
  ASSIGN_OR_RETURN(json::value v, ParseJson(text, "proof"));
  if (!v.is_array()) return base::InvalidArgumentError("proof: not an array");
  std::vector<ledger::Hash> out;
  if (v.as_array().size() > ledger::kMaxProofHashes) {
    return base::InvalidArgumentError("proof: too many hashes");
  }
  for (const auto& e : v.as_array()) {
    if (!e.is_string()) return base::InvalidArgumentError("proof: not a hex string");
    ASSIGN_OR_RETURN(ledger::Hash h, ParseHash(std::string_view(e.as_string())));
    out.push_back(h);
  }
  return out;
}

Result<ledger::Hash> ParseHash(std::string_view hex) {
  if (hex.size() != 64) return base::InvalidArgumentError("hash: expected 64 hex digits");
  ASSIGN_OR_RETURN(base::Bytes b, base::HexDecode(hex));
  ledger::Hash h{};
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

}  // namespace internal

using internal::IsSimpleName;

namespace {

Status Err(std::string_view ptr, std::string_view what) {
  return base::InvalidArgumentError(std::string(ptr) + ": " + std::string(what));
}

// Checks that `obj` has exactly the members `required` (plus `optional`).
Status CheckMembers(const json::object& obj, std::string_view ptr,
                    std::initializer_list<std::string_view> required,
                    std::initializer_list<std::string_view> optional = {}) {
  for (const auto& kv : obj) {
    std::string_view k(kv.key().data(), kv.key().size());
    bool known = std::find(required.begin(), required.end(), k) != required.end() ||
                 std::find(optional.begin(), optional.end(), k) != optional.end();
    if (!known) return Err(std::string(ptr) + "/" + std::string(k), "unknown member");
  }
  for (std::string_view r : required) {
    if (!obj.contains(json::string_view(r.data(), r.size()))) {
      return Err(std::string(ptr) + "/" + std::string(r), "missing");
    }
  }
  return base::OkStatus();
}

Result<std::string> GetString(const json::object& obj, std::string_view ptr, std::string_view key,
                              size_t max_len) {
  const json::value& v = obj.at(json::string_view(key.data(), key.size()));
  std::string p = std::string(ptr) + "/" + std::string(key);
  if (!v.is_string()) return Err(p, "not a string");
  if (v.as_string().size() > max_len) {
    return Err(p, "longer than " + std::to_string(max_len) + " bytes");
  }
  return std::string(v.as_string());
}

Result<int64_t> GetInt(const json::value& v, const std::string& p) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.as_uint64());
  }
  if (v.is_double()) {
    double d = v.as_double();
    if (d >= 0 && d <= 9007199254740992.0 && d == static_cast<double>(static_cast<int64_t>(d))) {
      return static_cast<int64_t>(d);
    }
  }
  return Err(p, "not an integer");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Accord

Result<Accord> Accord::Parse(std::string_view text) {
  if (text.size() > kMaxAccordBytes) {
    return base::InvalidArgumentError("accord: larger than " + std::to_string(kMaxAccordBytes) +
                                      " bytes");
  }
  // The canonicalizer first: strict RFC 8259 + I-JSON (duplicate keys, surrogates, depth).
  RETURN_IF_ERROR(base::CanonicalizeJson(text).status().WithContext("accord"));
  ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "accord"));
  if (!v.is_object()) return Err("", "not a JSON object");
  const json::object& o = v.as_object();
  RETURN_IF_ERROR(CheckMembers(o, "",
                               {"type", "v", "name", "created", "parties", "commitments",
                                "deadlines", "tlp_default", "witnesses"},
                               {"signatures"}));
  Accord a;
  ASSIGN_OR_RETURN(std::string type, GetString(o, "", "type", 64));
  if (type != "detente-accord") return Err("/type", "must be \"detente-accord\"");
  ASSIGN_OR_RETURN(int64_t ver, GetInt(o.at("v"), "/v"));
  if (ver != 1) return Err("/v", "unsupported version " + std::to_string(ver));
  ASSIGN_OR_RETURN(a.name, GetString(o, "", "name", 256));
  if (a.name.empty()) return Err("/name", "empty");
  ASSIGN_OR_RETURN(a.created, GetString(o, "", "created", 64));
  if (auto t = base::Timestamp::Parse(a.created); !t.ok()) {
    return Err("/created", t.status().message());
  }
  // parties
  const json::value& pv = o.at("parties");
  if (!pv.is_array()) return Err("/parties", "not an array");
  if (pv.as_array().empty()) return Err("/parties", "empty");
  if (pv.as_array().size() > kMaxParties) {
    return Err("/parties", "more than " + std::to_string(kMaxParties) + " parties");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < pv.as_array().size(); ++i) {
    std::string p = "/parties/" + std::to_string(i);
    const json::value& e = pv.as_array()[i];
    if (!e.is_object()) return Err(p, "not an object");
    const json::object& po = e.as_object();
    RETURN_IF_ERROR(CheckMembers(po, p, {"name", "key", "endpoints"}));
    Party party;
    ASSIGN_OR_RETURN(party.name, GetString(po, p, "name", 64));
    if (!IsSimpleName(party.name)) {
      return Err(p + "/name", "not a valid party name ([A-Za-z0-9._-]{1,64}, not starting with "
                              "'.' or '-')");
    }
    if (!names.insert(party.name).second) {
      return Err(p + "/name", "duplicate party \"" + party.name + "\"");
    }
    ASSIGN_OR_RETURN(std::string key, GetString(po, p, "key", 128));
    auto pk = crypto::PublicKey::FromBase64(key);
    if (!pk.ok() || pk->ToBase64() != key) {
      return Err(p + "/key", "not a base64 Ed25519 public key");
    }
    party.key = *pk;
    const json::value& ev = po.at("endpoints");
    if (!ev.is_array()) return Err(p + "/endpoints", "not an array");
    if (ev.as_array().size() > 16) return Err(p + "/endpoints", "more than 16 endpoints");
    for (size_t j = 0; j < ev.as_array().size(); ++j) {
      std::string ep = p + "/endpoints/" + std::to_string(j);
      const json::value& u = ev.as_array()[j];
      if (!u.is_string()) return Err(ep, "not a string");
      std::string_view url(u.as_string().data(), u.as_string().size());
      if (url.size() > 2048) return Err(ep, "longer than 2048 bytes");
      bool http = url.starts_with("http://") && url.size() > 7;
      bool https = url.starts_with("https://") && url.size() > 8;
      if (!http && !https) return Err(ep, "not an http:// or https:// URL");
      for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
          return Err(ep, "URL contains a space or a non-ASCII or control character");
        }
      }
      party.endpoints.emplace_back(url);
    }
    a.parties.push_back(std::move(party));
  }
  // commitments
  const json::value& cv = o.at("commitments");
  if (!cv.is_array()) return Err("/commitments", "not an array");
  if (cv.as_array().size() > 1024) return Err("/commitments", "more than 1024 commitments");
  std::set<std::string> cids;
  for (size_t i = 0; i < cv.as_array().size(); ++i) {
    std::string p = "/commitments/" + std::to_string(i);
    const json::value& e = cv.as_array()[i];
    if (!e.is_object()) return Err(p, "not an object");
    RETURN_IF_ERROR(CheckMembers(e.as_object(), p, {"id", "text"}));
    Commitment c;
    ASSIGN_OR_RETURN(c.id, GetString(e.as_object(), p, "id", 64));
    if (c.id.empty()) return Err(p + "/id", "empty");
    if (!cids.insert(c.id).second) return Err(p + "/id", "duplicate commitment \"" + c.id + "\"");
    ASSIGN_OR_RETURN(c.text, GetString(e.as_object(), p, "text", 65536));
    a.commitments.push_back(std::move(c));
  }
  // deadlines
  const json::value& dv = o.at("deadlines");
  if (!dv.is_object()) return Err("/deadlines", "not an object");
  RETURN_IF_ERROR(CheckMembers(dv.as_object(), "/deadlines", {"critical", "high", "medium", "low"}));
  for (std::string_view prio : kPriorities) {  // workflow.h
    std::string p = "/deadlines/" + std::string(prio);
    const json::value& e = dv.as_object().at(prio);
    if (!e.is_object()) return Err(p, "not an object");
    RETURN_IF_ERROR(CheckMembers(e.as_object(), p, {"acknowledge_s", "respond_s"}));
    Deadline d;
    ASSIGN_OR_RETURN(d.acknowledge_s, GetInt(e.as_object().at("acknowledge_s"), p + "/acknowledge_s"));
    ASSIGN_OR_RETURN(d.respond_s, GetInt(e.as_object().at("respond_s"), p + "/respond_s"));
    if (d.acknowledge_s <= 0) return Err(p + "/acknowledge_s", "must be > 0");
    if (d.respond_s < d.acknowledge_s) return Err(p + "/respond_s", "must be >= acknowledge_s");
    if (d.respond_s > kMaxDeadlineSeconds) {
      return Err(p + "/respond_s",
                 "must be <= " + std::to_string(kMaxDeadlineSeconds) + " (10 years)");
    }
    a.deadlines[std::string(prio)] = d;
  }
  ASSIGN_OR_RETURN(a.tlp_default, GetString(o, "", "tlp_default", 32));
  if (!internal::IsTlp(a.tlp_default)) {
    return Err("/tlp_default", "not one of clear, green, amber, amber+strict, red");
  }
  const json::value& wv = o.at("witnesses");
  if (!wv.is_array()) return Err("/witnesses", "not an array");
  std::set<std::string> wit;
  for (size_t i = 0; i < wv.as_array().size(); ++i) {
    std::string p = "/witnesses/" + std::to_string(i);
    const json::value& e = wv.as_array()[i];
    if (!e.is_string()) return Err(p, "not a string");
    std::string w(e.as_string());
    if (!names.count(w)) return Err(p, "\"" + w.substr(0, 64) + "\" is not a party");
    if (!wit.insert(w).second) return Err(p, "duplicate witness \"" + w + "\"");
    a.witnesses.push_back(std::move(w));
  }
  if (const json::value* sv = o.if_contains("signatures")) {
    if (!sv->is_object()) return Err("/signatures", "not an object");
    for (const auto& kv : sv->as_object()) {
      std::string name(kv.key());
      std::string p = "/signatures/" + name.substr(0, 64);
      if (!names.count(name)) return Err(p, "not a party");
      if (!kv.value().is_string()) return Err(p, "not a string");
      std::string sig(kv.value().as_string());
      auto raw = base::Base64Decode(sig);
      if (!raw.ok() || raw->size() != crypto::kEd25519SignatureSize) {
        return Err(p, "not a base64 Ed25519 signature");
      }
      a.signatures[name] = sig;
    }
  }
  return a;
}

namespace {
json::object BodyObject(const Accord& a) {
  json::object o;
  o["type"] = "detente-accord";
  o["v"] = 1;
  o["name"] = a.name;
  o["created"] = a.created;
  json::array parties;
  for (const Party& p : a.parties) {
    json::object po;
    po["name"] = p.name;
    po["key"] = p.key.ToBase64();
    json::array eps;
    for (const auto& e : p.endpoints) eps.emplace_back(json::string(e));
    po["endpoints"] = std::move(eps);
    parties.emplace_back(std::move(po));
  }
  o["parties"] = std::move(parties);
  json::array cs;
  for (const Commitment& c : a.commitments) {
    cs.emplace_back(json::object{{"id", c.id}, {"text", c.text}});
  }
  o["commitments"] = std::move(cs);
  json::object ds;
  for (const auto& [prio, d] : a.deadlines) {
    ds[prio] = json::object{{"acknowledge_s", d.acknowledge_s}, {"respond_s", d.respond_s}};
  }
  o["deadlines"] = std::move(ds);
  o["tlp_default"] = a.tlp_default;
  json::array ws;
  for (const auto& w : a.witnesses) ws.emplace_back(json::string(w));
  o["witnesses"] = std::move(ws);
  return o;
}
}  // namespace

std::string Accord::ToJson() const {
  json::object o = BodyObject(*this);
  json::object sigs;
  for (const auto& [p, s] : signatures) sigs[p] = s;
  o["signatures"] = std::move(sigs);
  return internal::Canonical(o);
}

std::string Accord::BodyJson() const { return internal::Canonical(BodyObject(*this)); }

std::string Accord::Hash() const { return base::HexEncode(crypto::Sha256(BodyJson())); }

const Party* Accord::FindParty(std::string_view party_name) const {
  for (const Party& p : parties) {
    if (p.name == party_name) return &p;
  }
  return nullptr;
}

Status Accord::Sign(std::string_view party, const crypto::SigningKey& key) {
  const Party* p = FindParty(party);
  if (p == nullptr) return base::NotFoundError("\"" + std::string(party) + "\" is not a party");
  if (!(p->key == key.public_key())) {
    return base::InvalidArgumentError("the key is not " + std::string(party) +
                                      "'s key in the accord");
  }
  crypto::Signature sig = key.Sign(BodyJson());
  signatures[std::string(party)] = base::Base64Encode(sig);
  return base::OkStatus();
}

Status Accord::Verify(bool require_all) const {
  std::string body = BodyJson();
  for (const auto& [signer, sig] : signatures) {
    const Party* p = FindParty(signer);
    if (p == nullptr) return base::FailedPreconditionError("signature by unknown party " + signer);
    auto raw = base::Base64Decode(sig);
    if (!raw.ok() || !p->key.Verify(body, *raw)) {
      return base::FailedPreconditionError("the signature of " + signer + " is invalid");
    }
  }
  if (require_all) {
    for (const Party& p : parties) {
      if (!signatures.count(p.name)) {
        return base::FailedPreconditionError(p.name + " has not signed the accord");
      }
    }
  }
  return base::OkStatus();
}

std::string LogOrigin(std::string_view accord_hash, std::string_view party) {
  return "detente/" + std::string(accord_hash.substr(0, 16)) + "/" + std::string(party);
}

Result<ledger::NoteVerifier> LogVerifier(const Accord& accord, std::string_view party) {
  const Party* p = accord.FindParty(party);
  if (p == nullptr) return base::NotFoundError("\"" + std::string(party) + "\" is not a party");
  return ledger::NoteVerifier::Create(LogOrigin(accord.Hash(), party), ledger::kNoteTypeEd25519,
                                      p->key);
}

Result<ledger::NoteVerifier> WitnessVerifier(const Accord& accord, std::string_view party) {
  const Party* p = accord.FindParty(party);
  if (p == nullptr) return base::NotFoundError("\"" + std::string(party) + "\" is not a party");
  return ledger::NoteVerifier::Create(LogOrigin(accord.Hash(), party),
                                      ledger::kNoteTypeCosignatureV1, p->key);
}

// ---------------------------------------------------------------------------------------------
// Envelopes

namespace {

json::object EnvelopeObject(const Envelope& e, bool with_sig) {
  json::object o;
  o["v"] = kEnvelopeVersion;
  o["accord"] = e.accord;
  o["from"] = e.from;
  json::array to;
  for (const auto& t : e.to) to.emplace_back(json::string(t));
  o["to"] = std::move(to);
  o["seq"] = e.seq;
  o["id"] = e.id;
  o["kind"] = e.kind;
  o["created"] = e.created;
  json::array refs;
  for (const auto& r : e.refs) refs.emplace_back(json::string(r));
  o["refs"] = std::move(refs);
  o["tlp"] = e.tlp;
  auto body = internal::ParseJson(e.body, "body");
  o["body"] = body.ok() ? std::move(*body) : json::value(json::object());
  if (with_sig) o["sig"] = e.sig;
  return o;
}

Status EnvErr(std::string_view member, std::string_view what) {
  return base::InvalidArgumentError("envelope /" + std::string(member) + ": " + std::string(what));
}

// The field rules shared by SignEnvelope and Parse.
Status ValidateFields(const Envelope& e) {
  if (!internal::IsLowerHex(e.accord, 64)) return EnvErr("accord", "not a lower-case hex SHA-256");
  if (!IsSimpleName(e.from)) return EnvErr("from", "not a valid party name");
  if (e.to.empty()) return EnvErr("to", "empty");
  if (e.to.size() > kMaxParties) return EnvErr("to", "too many recipients");
  for (size_t i = 0; i < e.to.size(); ++i) {
    if (!IsSimpleName(e.to[i])) return EnvErr("to/" + std::to_string(i), "not a valid party name");
    if (e.to[i] == e.from) return EnvErr("to/" + std::to_string(i), "the sender itself");
    if (i > 0 && !(e.to[i - 1] < e.to[i])) return EnvErr("to", "not sorted and unique");
  }
  if (e.seq == 0) return EnvErr("seq", "must be >= 1 (entry 0 is the genesis)");
  if (e.seq > (uint64_t{1} << 53)) return EnvErr("seq", "larger than 2^53");
  if (!internal::IsCanonicalUuid(e.id)) return EnvErr("id", "not a lower-case UUID");
  if (!internal::IsKind(e.kind)) return EnvErr("kind", "not [a-z][a-z0-9-]{0,31}");
  auto t = base::Timestamp::ParseStix(e.created);
  if (!t.ok() || t->FormatMillis() != e.created) {
    return EnvErr("created", "not an RFC 3339 UTC timestamp with milliseconds");
  }
  if (e.refs.size() > 64) return EnvErr("refs", "more than 64 references");
  for (size_t i = 0; i < e.refs.size(); ++i) {
    if (!internal::IsCanonicalUuid(e.refs[i])) {
      return EnvErr("refs/" + std::to_string(i), "not a lower-case UUID");
    }
  }
  if (!internal::IsTlp(e.tlp)) return EnvErr("tlp", "not one of clear, green, amber, amber+strict, red");
  if (e.body.empty() || e.body[0] != '{') return EnvErr("body", "not a JSON object");
  return base::OkStatus();
}

// Serialises a validated envelope by concatenation. REQUIRES: ValidateFields(e) is ok (so every
// string member is printable ASCII needing no JSON escape and 1 <= seq <= 2^53, printed as a
// plain integer by RFC 8785) and e.body is in RFC 8785 form. The members are written in RFC
// 8785 order (code-unit order of the keys), so the result equals
// internal::Canonical(EnvelopeObject(e, with_sig)).
std::string TrustedEnvelopeJson(const Envelope& e, bool with_sig) {
  std::string out;
  out.reserve(e.body.size() + 256 + 40 * (e.to.size() + e.refs.size()) + e.sig.size());
  out += "{\"accord\":\"";
  out += e.accord;
  out += "\",\"body\":";
  out += e.body;
  out += ",\"created\":\"";
  out += e.created;
  out += "\",\"from\":\"";
  out += e.from;
  out += "\",\"id\":\"";
  out += e.id;
  out += "\",\"kind\":\"";
  out += e.kind;
  out += "\",\"refs\":[";
  for (size_t i = 0; i < e.refs.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += e.refs[i];
    out += '"';
  }
  out += "],\"seq\":";
  out += std::to_string(e.seq);
  if (with_sig) {
    out += ",\"sig\":\"";
    out += e.sig;
    out += '"';
  }
  out += ",\"tlp\":\"";
  out += e.tlp;
  out += "\",\"to\":[";
  for (size_t i = 0; i < e.to.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += e.to[i];
    out += '"';
  }
  out += "],\"v\":";
  out += std::to_string(kEnvelopeVersion);
  out += '}';
  return out;
}

}  // namespace

std::string internal::ParsedEnvelopeJson(const Envelope& env, bool with_sig) {
  return TrustedEnvelopeJson(env, with_sig);
}

std::string Envelope::SigningBytes() const {
  return internal::Canonical(EnvelopeObject(*this, false));
}

std::string Envelope::ToJson() const { return internal::Canonical(EnvelopeObject(*this, true)); }

std::string Envelope::Digest() const { return base::HexEncode(crypto::Sha256(ToJson())); }

namespace {

// Envelope::Parse's fast path for the common case, a valid envelope: one Boost.JSON parse, the
// body canonicalised on its own, the field rules, then the direct serialisation compared with
// `text`. Equality proves `text` canonical (it equals bytes that are canonical by construction)
// and that the fields round-trip, so every check of the full path holds. Returns nullopt when
// any step fails; the caller then runs the full path, which names the error.
std::optional<Envelope> ParseValidFast(std::string_view text) {
  json::parse_options po;
  po.max_depth = base::kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec, {}, po);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  if (o.size() != 12) return std::nullopt;
  auto member = [&](std::string_view k) -> const json::value* {
    return o.if_contains(json::string_view(k.data(), k.size()));
  };
  Envelope e;
  auto str = [&](std::string_view k, std::string* out) {
    const json::value* x = member(k);
    if (x == nullptr || !x->is_string()) return false;
    *out = std::string(x->as_string());
    return true;
  };
  auto strings = [&](std::string_view k, std::vector<std::string>* out) {
    const json::value* x = member(k);
    if (x == nullptr || !x->is_array() || x->as_array().size() > kMaxParties + 64) return false;
    for (const auto& t : x->as_array()) {
      if (!t.is_string()) return false;
      out->emplace_back(t.as_string());
    }
    return true;
  };
  const json::value* ver = member("v");
  if (ver == nullptr || !ver->is_int64() || ver->as_int64() != kEnvelopeVersion) {
    return std::nullopt;
  }
  const json::value* seq = member("seq");
  if (seq == nullptr || !seq->is_int64() || seq->as_int64() < 0) return std::nullopt;
  e.seq = static_cast<uint64_t>(seq->as_int64());
  const json::value* body = member("body");
  if (body == nullptr || !body->is_object()) return std::nullopt;
  if (!str("accord", &e.accord) || !str("from", &e.from) || !strings("to", &e.to) ||
      !str("id", &e.id) || !str("kind", &e.kind) || !str("created", &e.created) ||
      !strings("refs", &e.refs) || !str("tlp", &e.tlp) || !str("sig", &e.sig)) {
    return std::nullopt;
  }
  auto canonical_body = base::CanonicalizeJson(json::serialize(*body));
  if (!canonical_body.ok()) return std::nullopt;
  e.body = std::move(*canonical_body);
  auto raw = base::Base64Decode(e.sig);
  if (!raw.ok() || raw->size() != crypto::kEd25519SignatureSize) return std::nullopt;
  if (!ValidateFields(e).ok()) return std::nullopt;
  if (TrustedEnvelopeJson(e, true) != text) return std::nullopt;
  return e;
}

}  // namespace

Result<Envelope> Envelope::Parse(std::string_view text) {
  if (text.size() > kMaxEnvelopeBytes) {
    return base::ResourceExhaustedError("envelope: " + std::to_string(text.size()) +
                                        " bytes; at most " + std::to_string(kMaxEnvelopeBytes));
  }
  if (std::optional<Envelope> fast = ParseValidFast(text)) return std::move(*fast);
  // Not a valid envelope (or one the fast path does not take): the full checks, in order, so
  // the error names the first thing wrong.
  auto canon = base::CanonicalizeJson(text);
  if (!canon.ok()) return canon.status().WithContext("envelope");
  if (*canon != text) return base::InvalidArgumentError("envelope: not in canonical form");
  ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "envelope"));
  if (!v.is_object()) return base::InvalidArgumentError("envelope: not a JSON object");
  const json::object& o = v.as_object();
  RETURN_IF_ERROR(CheckMembers(o, "envelope ",
                               {"v", "accord", "from", "to", "seq", "id", "kind", "created",
                                "refs", "tlp", "body", "sig"}));
  Envelope e;
  ASSIGN_OR_RETURN(int64_t ver, GetInt(o.at("v"), "envelope /v"));
  if (ver != kEnvelopeVersion) return EnvErr("v", "unsupported version " + std::to_string(ver));
  auto str = [&](std::string_view k, size_t max) -> Result<std::string> {
    const json::value& x = o.at(json::string_view(k.data(), k.size()));
    if (!x.is_string()) return EnvErr(k, "not a string");
    if (x.as_string().size() > max) return EnvErr(k, "too long");
    return std::string(x.as_string());
  };
  ASSIGN_OR_RETURN(e.accord, str("accord", 64));
  ASSIGN_OR_RETURN(e.from, str("from", 64));
  const json::value& to = o.at("to");
  if (!to.is_array()) return EnvErr("to", "not an array");
  if (to.as_array().size() > kMaxParties) return EnvErr("to", "too many recipients");
  for (const auto& t : to.as_array()) {
    if (!t.is_string()) return EnvErr("to", "not an array of strings");
    e.to.emplace_back(t.as_string());
  }
  const json::value& seq = o.at("seq");
  if (seq.is_int64() && seq.as_int64() >= 0) {
    e.seq = static_cast<uint64_t>(seq.as_int64());
  } else if (seq.is_uint64()) {
    e.seq = seq.as_uint64();
  } else {
    return EnvErr("seq", "not a non-negative integer");
  }
  ASSIGN_OR_RETURN(e.id, str("id", 64));
  ASSIGN_OR_RETURN(e.kind, str("kind", 64));
  ASSIGN_OR_RETURN(e.created, str("created", 64));
  const json::value& refs = o.at("refs");
  if (!refs.is_array()) return EnvErr("refs", "not an array");
  if (refs.as_array().size() > 64) return EnvErr("refs", "more than 64 references");
  for (const auto& r : refs.as_array()) {
    if (!r.is_string()) return EnvErr("refs", "not an array of strings");
    e.refs.emplace_back(r.as_string());
  }
  ASSIGN_OR_RETURN(e.tlp, str("tlp", 32));
  const json::value& body = o.at("body");
  if (!body.is_object()) return EnvErr("body", "not a JSON object");
  e.body = internal::Canonical(body);
  ASSIGN_OR_RETURN(e.sig, str("sig", 128));
  auto raw = base::Base64Decode(e.sig);
  if (!raw.ok() || raw->size() != crypto::kEd25519SignatureSize) {
    return EnvErr("sig", "not a base64 Ed25519 signature");
  }
  RETURN_IF_ERROR(ValidateFields(e));
  // The input was canonical; our serialisation of what we parsed must be the same bytes.
  // (The fields are validated and e.body is canonical, so the direct serialisation applies.)
  if (TrustedEnvelopeJson(e, true) != text) {
    return base::InvalidArgumentError("envelope: does not round-trip");
  }
  return e;
}

Status SignEnvelope(Envelope& env, const crypto::SigningKey& key) {
  auto body = base::CanonicalizeJson(env.body);
  if (!body.ok()) return EnvErr("body", body.status().message());
  env.body = std::move(*body);
  RETURN_IF_ERROR(ValidateFields(env));
  // Validated, with a canonical body: the direct serialisation applies.
  env.sig = base::Base64Encode(key.Sign(TrustedEnvelopeJson(env, false)));
  if (TrustedEnvelopeJson(env, true).size() > kMaxEnvelopeBytes) {
    return EnvErr("body", "the signed envelope would be larger than " +
                              std::to_string(kMaxEnvelopeBytes) + " bytes");
  }
  return base::OkStatus();
}

Status VerifyEnvelope(const Envelope& env, const Accord& accord) {
  return internal::VerifyEnvelopeHashed(env, accord, accord.Hash());
}

namespace {

// The checks of VerifyEnvelopeHashed with the signing bytes supplied by the caller.
Status VerifyWithBytes(const Envelope& env, const Accord& accord, std::string_view accord_hash,
                       std::string_view signing_bytes) {
  if (env.accord != accord_hash) {
    return base::FailedPreconditionError("envelope " + env.id + ": for another accord");
  }
  const Party* from = accord.FindParty(env.from);
  if (from == nullptr) {
    return base::NotFoundError("envelope " + env.id + ": sender " + env.from +
                               " is not a party");
  }
  for (const auto& t : env.to) {
    if (accord.FindParty(t) == nullptr) {
      return base::NotFoundError("envelope " + env.id + ": recipient " + t + " is not a party");
    }
  }
  auto raw = base::Base64Decode(env.sig);
  if (!raw.ok() || !from->key.Verify(signing_bytes, *raw)) {
    return base::FailedPreconditionError("envelope " + env.id + ": invalid signature by " +
                                         env.from);
  }
  return base::OkStatus();
}

}  // namespace

Status internal::VerifyEnvelopeHashed(const Envelope& env, const Accord& accord,
                                      std::string_view accord_hash) {
  return VerifyWithBytes(env, accord, accord_hash, env.SigningBytes());
}

Status internal::VerifyParsedEnvelope(const Envelope& env, const Accord& accord,
                                      std::string_view accord_hash) {
  return VerifyWithBytes(env, accord, accord_hash, TrustedEnvelopeJson(env, false));
}

std::string internal::ParsedEntryHeader(const Envelope& env, std::string_view digest_hex) {
  // RFC 8785 member order: created, digest, id, kind, seq, to. Every value is validated
  // printable ASCII needing no escape (see TrustedEnvelopeJson).
  std::string out;
  out.reserve(200 + 40 * env.to.size());
  out += "{\"created\":\"";
  out += env.created;
  out += "\",\"digest\":\"";
  out += digest_hex;
  out += "\",\"id\":\"";
  out += env.id;
  out += "\",\"kind\":\"";
  out += env.kind;
  out += "\",\"seq\":";
  out += std::to_string(env.seq);
  out += ",\"to\":[";
  for (size_t i = 0; i < env.to.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += env.to[i];
    out += '"';
  }
  out += "]}";
  return out;
}

std::string EntryHeader(const Envelope& env) {
  json::object o;
  o["created"] = env.created;
  o["digest"] = env.Digest();
  o["id"] = env.id;
  o["kind"] = env.kind;
  o["seq"] = env.seq;
  json::array to;
  for (const auto& t : env.to) to.emplace_back(json::string(t));
  o["to"] = std::move(to);
  return internal::Canonical(o);
}

std::string GenesisEntry(std::string_view accord_hash, std::string_view party) {
  json::object o;
  o["accord"] = json::string(accord_hash);
  o["kind"] = "genesis";
  o["party"] = json::string(party);
  o["seq"] = 0;
  return internal::Canonical(o);
}

// ---------------------------------------------------------------------------------------------
// Receipt bodies

inline constexpr size_t kMaxReceiptBodyBytes = 64 << 10;

std::string ReceiptBody::ToJson() const {
  json::object o;
  o["checkpoint"] = checkpoint;
  o["digest"] = digest;
  o["envelope"] = envelope;
  o["from"] = from;
  o["seq"] = seq;
  return internal::Canonical(o);
}

Result<ReceiptBody> ReceiptBody::Parse(std::string_view text) {
  if (text.size() > kMaxReceiptBodyBytes) {
    return base::ResourceExhaustedError("receipt: larger than " +
                                        std::to_string(kMaxReceiptBodyBytes) + " bytes");
  }
  RETURN_IF_ERROR(base::CanonicalizeJson(text).status().WithContext("receipt"));
  ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "receipt"));
  if (!v.is_object()) return base::InvalidArgumentError("receipt: not a JSON object");
  const json::object& o = v.as_object();
  RETURN_IF_ERROR(CheckMembers(o, "receipt ", {"checkpoint", "digest", "envelope", "from", "seq"}));
  ReceiptBody r;
  ASSIGN_OR_RETURN(r.checkpoint, GetString(o, "receipt ", "checkpoint", 16384));
  ASSIGN_OR_RETURN(r.digest, GetString(o, "receipt ", "digest", 64));
  ASSIGN_OR_RETURN(r.envelope, GetString(o, "receipt ", "envelope", 64));
  ASSIGN_OR_RETURN(r.from, GetString(o, "receipt ", "from", 64));
  const json::value& seq = o.at("seq");
  if (seq.is_int64() && seq.as_int64() >= 1) {
    r.seq = static_cast<uint64_t>(seq.as_int64());
  } else if (seq.is_uint64() && seq.as_uint64() >= 1) {
    r.seq = seq.as_uint64();
  } else {
    return base::InvalidArgumentError("receipt /seq: not a positive integer");
  }
  if (!internal::IsLowerHex(r.digest, 64)) {
    return base::InvalidArgumentError("receipt /digest: not a lower-case hex SHA-256");
  }
  if (!internal::IsCanonicalUuid(r.envelope)) {
    return base::InvalidArgumentError("receipt /envelope: not a lower-case UUID");
  }
  if (!IsSimpleName(r.from)) return base::InvalidArgumentError("receipt /from: not a party name");
  if (r.checkpoint.empty()) return base::InvalidArgumentError("receipt /checkpoint: empty");
  return r;
}

}  // namespace detente::accord
