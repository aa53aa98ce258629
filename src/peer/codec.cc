// peer/codec.cc: the JSON bodies of the peer protocol (docs/formats/peer-protocol.md), read
// strictly with Boost.JSON (bounded size and depth, unknown members rejected, every hash 64 hex
// digits) and written by hand. Tested by tests/peer/codec_test.cc.
#include <boost/json.hpp>
#include <initializer_list>

#include "peer/peer.h"

namespace detente::peer {
namespace {

namespace json = boost::json;

// Depth of the deepest body (answer -> results -> [i] -> proof -> [j]) plus slack.
constexpr unsigned kMaxDepth = 8;
constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxPartyBytes = 64;

Status Err(std::string_view what, std::string_view where, std::string_view msg) {
  return base::InvalidArgumentError(std::string(what) + " " + std::string(where) + ": " +
                                    std::string(msg));
}

// Appends `s` as a JSON string; invalid UTF-8 (only possible in our own error texts that quote
// input) is replaced byte by byte with '?'.
void AppendStr(std::string* out, std::string_view s) {
  if (base::IsValidUtf8(s)) {
    base::AppendJsonString(out, s);
    return;
  }
  std::string clean(s);
  for (char& c : clean) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  base::AppendJsonString(out, clean);
}

void AppendHashes(std::string* out, std::span<const ledger::Hash> hashes) {
  *out += '[';
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (i > 0) *out += ',';
    *out += '"';
    *out += ledger::HashToHex(hashes[i]);
    *out += '"';
  }
  *out += ']';
}

// A strict reader of one JSON object, naming members by JSON Pointer in errors.
class ObjectReader {
 public:
  ObjectReader(std::string_view what, std::string where, const json::object& o)
      : what_(what), where_(std::move(where)), o_(o) {}

  Status OnlyMembers(std::initializer_list<std::string_view> allowed) const {
    for (const auto& kv : o_) {
      bool ok = false;
      for (std::string_view a : allowed) ok = ok || kv.key() == a;
      if (!ok) return Err(what_, Path(kv.key()), "unknown member");
    }
    return base::OkStatus();
  }

  std::string Path(std::string_view key) const { return where_ + "/" + std::string(key); }

  Result<const json::value*> Get(std::string_view key) const {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr) return Err(what_, Path(key), "missing");
    return v;
  }

  Result<std::string> String(std::string_view key, size_t max, bool required = true) const {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr) {
      if (!required) return std::string();
      return Err(what_, Path(key), "missing");
    }
    if (!v->is_string()) return Err(what_, Path(key), "not a string");
    const json::string& s = v->get_string();
    if (s.size() > max) {
      return Err(what_, Path(key), "longer than " + std::to_string(max) + " bytes");
    }
    return std::string(s.data(), s.size());
  }

  Result<uint64_t> Uint(std::string_view key, bool required = true) const {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr) {
      if (!required) return uint64_t{0};
      return Err(what_, Path(key), "missing");
    }
    return AsUint(*v, Path(key));
  }

  Result<uint64_t> AsUint(const json::value& v, const std::string& path) const {
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64()) {
      if (v.get_int64() < 0) return Err(what_, path, "negative");
      return static_cast<uint64_t>(v.get_int64());
    }
    return Err(what_, path, "not a non-negative integer");
  }

  Result<std::vector<ledger::Hash>> Hashes(std::string_view key, bool required = true) const {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr) {
      if (!required) return std::vector<ledger::Hash>();
      return Err(what_, Path(key), "missing");
    }
    return HashesOf(*v, Path(key));
  }

  Result<std::vector<ledger::Hash>> HashesOf(const json::value& v, const std::string& path) const {
    if (!v.is_array()) return Err(what_, path, "not an array");
    const json::array& a = v.get_array();
    if (a.size() > ledger::kMaxProofHashes) {
      return Err(what_, path, "more than " + std::to_string(ledger::kMaxProofHashes) + " hashes");
    }
    std::vector<ledger::Hash> out;
    out.reserve(a.size());
    for (size_t i = 0; i < a.size(); ++i) {
      std::string p = path + "/" + std::to_string(i);
      if (!a[i].is_string()) return Err(what_, p, "not a string");
      const json::string& s = a[i].get_string();
      if (s.size() != 2 * ledger::kHashSize) return Err(what_, p, "not 64 hex digits");
      auto h = ledger::HashFromHex(std::string_view(s.data(), s.size()), "hash");
      if (!h.ok()) return Err(what_, p, "not 64 hex digits");
      out.push_back(*h);
    }
    return out;
  }

  const std::string& what() const { return what_; }
  const std::string& where() const { return where_; }

 private:
  std::string what_;
  std::string where_;
  const json::object& o_;
};

// Parses `text` as one JSON object within the limits.
Result<json::value> ParseObject(std::string_view what, std::string_view text) {
  if (text.size() > kMaxWireBytes) {
    return base::ResourceExhaustedError(std::string(what) + ": larger than " +
                                        std::to_string(kMaxWireBytes) + " bytes");
  }
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) return base::InvalidArgumentError(std::string(what) + ": not JSON: " + ec.message());
  if (!v.is_object()) return base::InvalidArgumentError(std::string(what) + ": not an object");
  return v;
}

std::string_view OutcomeName(accord::AcceptOutcome o) {
  switch (o) {
    case accord::AcceptOutcome::kAccepted:
      return "accepted";
    case accord::AcceptOutcome::kDuplicate:
      return "duplicate";
    case accord::AcceptOutcome::kRejected:
      return "rejected";
  }
  return "rejected";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string EncodeDelivery(const WireDelivery& d) {
  std::string out = "{\"from\":";
  AppendStr(&out, d.from);
  out += ",\"checkpoint\":";
  AppendStr(&out, d.delivery.checkpoint);
  out += ",\"held_size\":" + std::to_string(d.delivery.held_size);
  out += ",\"consistency\":";
  AppendHashes(&out, d.delivery.consistency);
  out += ",\"recipient_held_size\":" + std::to_string(d.recipient_held_size);
  out += ",\"envelopes\":[";
  for (size_t i = 0; i < d.delivery.envelopes.size(); ++i) {
    const accord::ProvenEnvelope& e = d.delivery.envelopes[i];
    if (i > 0) out += ',';
    out += "{\"envelope\":";
    AppendStr(&out, e.envelope);
    out += ",\"index\":" + std::to_string(e.index) + ",\"proof\":";
    AppendHashes(&out, e.proof);
    out += '}';
  }
  out += "]}";
  return out;
}

Result<WireDelivery> DecodeDelivery(std::string_view text) {
  constexpr std::string_view kWhat = "delivery body";
  ASSIGN_OR_RETURN(json::value v, ParseObject(kWhat, text));
  ObjectReader r(kWhat, "", v.get_object());
  RETURN_IF_ERROR(r.OnlyMembers(
      {"from", "checkpoint", "held_size", "consistency", "recipient_held_size", "envelopes"}));
  WireDelivery d;
  ASSIGN_OR_RETURN(d.from, r.String("from", kMaxPartyBytes));
  if (d.from.empty()) return Err(kWhat, "/from", "empty");
  ASSIGN_OR_RETURN(d.delivery.checkpoint, r.String("checkpoint", ledger::kMaxNoteBytes));
  ASSIGN_OR_RETURN(d.delivery.held_size, r.Uint("held_size"));
  ASSIGN_OR_RETURN(d.delivery.consistency, r.Hashes("consistency"));
  ASSIGN_OR_RETURN(d.recipient_held_size, r.Uint("recipient_held_size"));
  ASSIGN_OR_RETURN(const json::value* envs, r.Get("envelopes"));
  if (!envs->is_array()) return Err(kWhat, "/envelopes", "not an array");
  const json::array& a = envs->get_array();
  if (a.size() > kMaxBatchEnvelopes) {
    return base::ResourceExhaustedError(std::string(kWhat) + " /envelopes: more than " +
                                        std::to_string(kMaxBatchEnvelopes) + " envelopes");
  }
  d.delivery.envelopes.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    std::string where = "/envelopes/" + std::to_string(i);
    if (!a[i].is_object()) return Err(kWhat, where, "not an object");
    ObjectReader er(kWhat, where, a[i].get_object());
    RETURN_IF_ERROR(er.OnlyMembers({"envelope", "index", "proof"}));
    accord::ProvenEnvelope e;
    ASSIGN_OR_RETURN(e.envelope, er.String("envelope", accord::kMaxEnvelopeBytes));
    ASSIGN_OR_RETURN(e.index, er.Uint("index"));
    ASSIGN_OR_RETURN(e.proof, er.Hashes("proof"));
    d.delivery.envelopes.push_back(std::move(e));
  }
  return d;
}

std::string EncodeAnswer(const accord::DeliveryAnswer& a) {
  std::string out = "{\"results\":[";
  for (size_t i = 0; i < a.results.size(); ++i) {
    const accord::AcceptResult& r = a.results[i];
    if (i > 0) out += ',';
    out += "{\"id\":";
    AppendStr(&out, r.id);
    out += ",\"outcome\":\"";
    out += OutcomeName(r.outcome);
    out += "\",\"error\":";
    AppendStr(&out, r.error.size() > kMaxErrorText ? r.error.substr(0, kMaxErrorText) : r.error);
    out += ",\"receipt\":";
    AppendStr(&out, r.receipt);
    out += ",\"receipt_index\":" + std::to_string(r.receipt_index) + ",\"proof\":";
    static const std::vector<ledger::Hash> kNone;
    AppendHashes(&out, i < a.receipt_proofs.size() ? a.receipt_proofs[i] : kNone);
    out += '}';
  }
  out += "],\"checkpoint\":";
  AppendStr(&out, a.checkpoint);
  out += ",\"consistency\":";
  AppendHashes(&out, a.consistency);
  out += ",\"held_size\":" + std::to_string(a.held_size) + "}";
  return out;
}

Result<accord::DeliveryAnswer> DecodeAnswer(std::string_view text) {
  constexpr std::string_view kWhat = "inbox answer";
  ASSIGN_OR_RETURN(json::value v, ParseObject(kWhat, text));
  ObjectReader r(kWhat, "", v.get_object());
  RETURN_IF_ERROR(r.OnlyMembers({"results", "checkpoint", "consistency", "held_size"}));
  accord::DeliveryAnswer a;
  ASSIGN_OR_RETURN(a.checkpoint, r.String("checkpoint", ledger::kMaxNoteBytes));
  ASSIGN_OR_RETURN(a.consistency, r.Hashes("consistency"));
  ASSIGN_OR_RETURN(a.held_size, r.Uint("held_size"));
  ASSIGN_OR_RETURN(const json::value* results, r.Get("results"));
  if (!results->is_array()) return Err(kWhat, "/results", "not an array");
  const json::array& arr = results->get_array();
  if (arr.size() > kMaxBatchEnvelopes) {
    return base::ResourceExhaustedError(std::string(kWhat) + " /results: more than " +
                                        std::to_string(kMaxBatchEnvelopes) + " results");
  }
  a.results.reserve(arr.size());
  a.receipt_proofs.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string where = "/results/" + std::to_string(i);
    if (!arr[i].is_object()) return Err(kWhat, where, "not an object");
    ObjectReader rr(kWhat, where, arr[i].get_object());
    RETURN_IF_ERROR(
        rr.OnlyMembers({"id", "outcome", "error", "receipt", "receipt_index", "proof"}));
    accord::AcceptResult res;
    ASSIGN_OR_RETURN(res.id, rr.String("id", kMaxIdBytes));
    ASSIGN_OR_RETURN(std::string outcome, rr.String("outcome", 16));
    if (outcome == "accepted") {
      res.outcome = accord::AcceptOutcome::kAccepted;
    } else if (outcome == "duplicate") {
      res.outcome = accord::AcceptOutcome::kDuplicate;
    } else if (outcome == "rejected") {
      res.outcome = accord::AcceptOutcome::kRejected;
    } else {
      return Err(kWhat, where + "/outcome", "not one of accepted, duplicate, rejected");
    }
    ASSIGN_OR_RETURN(res.error, rr.String("error", kMaxErrorText, /*required=*/false));
    ASSIGN_OR_RETURN(res.receipt, rr.String("receipt", accord::kMaxEnvelopeBytes, false));
    ASSIGN_OR_RETURN(res.receipt_index, rr.Uint("receipt_index", false));
    ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof, rr.Hashes("proof", false));
    if (res.outcome != accord::AcceptOutcome::kRejected && res.receipt.empty()) {
      return Err(kWhat, where + "/receipt", "missing for outcome " + outcome);
    }
    a.results.push_back(std::move(res));
    a.receipt_proofs.push_back(std::move(proof));
  }
  return a;
}

std::string EncodeCheckpointReply(const CheckpointReply& r) {
  std::string out = "{\"checkpoint\":";
  AppendStr(&out, r.checkpoint);
  out += ",\"size\":" + std::to_string(r.size) + ",\"consistency\":";
  AppendHashes(&out, r.consistency);
  out += '}';
  return out;
}

Result<CheckpointReply> DecodeCheckpointReply(std::string_view text) {
  constexpr std::string_view kWhat = "checkpoint body";
  ASSIGN_OR_RETURN(json::value v, ParseObject(kWhat, text));
  ObjectReader r(kWhat, "", v.get_object());
  RETURN_IF_ERROR(r.OnlyMembers({"checkpoint", "size", "consistency"}));
  CheckpointReply c;
  ASSIGN_OR_RETURN(c.checkpoint, r.String("checkpoint", ledger::kMaxNoteBytes));
  ASSIGN_OR_RETURN(c.size, r.Uint("size"));
  ASSIGN_OR_RETURN(c.consistency, r.Hashes("consistency"));
  return c;
}

std::string EncodeProof(std::span<const ledger::Hash> proof) {
  std::string out = "{\"proof\":";
  AppendHashes(&out, proof);
  out += '}';
  return out;
}

Result<std::vector<ledger::Hash>> DecodeProof(std::string_view text) {
  constexpr std::string_view kWhat = "consistency body";
  ASSIGN_OR_RETURN(json::value v, ParseObject(kWhat, text));
  ObjectReader r(kWhat, "", v.get_object());
  RETURN_IF_ERROR(r.OnlyMembers({"proof"}));
  return r.Hashes("proof");
}

std::string EncodeCosignature(const CosignatureMessage& m) {
  std::string out = "{\"witness\":";
  AppendStr(&out, m.witness);
  out += ",\"note\":";
  AppendStr(&out, m.note);
  out += '}';
  return out;
}

Result<CosignatureMessage> DecodeCosignature(std::string_view text) {
  constexpr std::string_view kWhat = "cosignature body";
  ASSIGN_OR_RETURN(json::value v, ParseObject(kWhat, text));
  ObjectReader r(kWhat, "", v.get_object());
  RETURN_IF_ERROR(r.OnlyMembers({"witness", "note"}));
  CosignatureMessage m;
  ASSIGN_OR_RETURN(m.witness, r.String("witness", kMaxPartyBytes));
  if (m.witness.empty()) return Err(kWhat, "/witness", "empty");
  ASSIGN_OR_RETURN(m.note, r.String("note", ledger::kMaxNoteBytes));
  return m;
}

std::string EncodeGossip(std::span<const GossipEntry> entries) {
  std::string out = "{\"checkpoints\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"party\":";
    AppendStr(&out, entries[i].party);
    out += ",\"note\":";
    AppendStr(&out, entries[i].note);
    out += '}';
  }
  out += "]}";
  return out;
}

Result<std::vector<GossipEntry>> DecodeGossip(std::string_view text) {
  constexpr std::string_view kWhat = "checkpoints body";
  ASSIGN_OR_RETURN(json::value v, ParseObject(kWhat, text));
  ObjectReader r(kWhat, "", v.get_object());
  RETURN_IF_ERROR(r.OnlyMembers({"checkpoints"}));
  ASSIGN_OR_RETURN(const json::value* list, r.Get("checkpoints"));
  if (!list->is_array()) return Err(kWhat, "/checkpoints", "not an array");
  const json::array& a = list->get_array();
  if (a.size() > accord::kMaxParties) {
    return Err(kWhat, "/checkpoints",
               "more than " + std::to_string(accord::kMaxParties) + " entries");
  }
  std::vector<GossipEntry> out;
  for (size_t i = 0; i < a.size(); ++i) {
    std::string where = "/checkpoints/" + std::to_string(i);
    if (!a[i].is_object()) return Err(kWhat, where, "not an object");
    ObjectReader er(kWhat, where, a[i].get_object());
    RETURN_IF_ERROR(er.OnlyMembers({"party", "note"}));
    GossipEntry e;
    ASSIGN_OR_RETURN(e.party, er.String("party", kMaxPartyBytes));
    ASSIGN_OR_RETURN(e.note, er.String("note", ledger::kMaxNoteBytes));
    out.push_back(std::move(e));
  }
  return out;
}

std::string EncodeError(int status, std::string_view title, std::string_view description,
                        std::optional<uint64_t> held_size) {
  std::string out = "{\"title\":";
  AppendStr(&out, title);
  out += ",\"description\":";
  AppendStr(&out, description.size() > kMaxErrorText ? description.substr(0, kMaxErrorText)
                                                     : description);
  out += ",\"http_status\":\"" + std::to_string(status) + "\"";
  if (held_size) out += ",\"held_size\":" + std::to_string(*held_size);
  out += '}';
  return out;
}

std::optional<uint64_t> HeldSizeFromError(std::string_view text) {
  if (text.size() > 1 << 20) return std::nullopt;
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec || !v.is_object()) return std::nullopt;
  const json::value* h = v.get_object().if_contains("held_size");
  if (h == nullptr) return std::nullopt;
  if (h->is_uint64()) return h->get_uint64();
  if (h->is_int64() && h->get_int64() >= 0) return static_cast<uint64_t>(h->get_int64());
  return std::nullopt;
}

}  // namespace detente::peer
