// ledger/checkpoint.cc: checkpoints, cosignatures and equivocation evidence.
// Tested by tests/ledger/checkpoint_test.cc.
#include "ledger/checkpoint.h"

#include <boost/json.hpp>

#include <set>

#include "ledger/proof.h"

namespace detente::ledger {
namespace {

Result<uint64_t> ParseDecimal(std::string_view s, std::string_view what) {
  if (s.empty()) return base::InvalidArgumentError(std::string(what) + " is empty");
  if (s.size() > 1 && s[0] == '0') {
    return base::InvalidArgumentError(std::string(what) + " has a leading zero");
  }
  if (s.size() > 20) return base::InvalidArgumentError(std::string(what) + " is too large");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return base::InvalidArgumentError(std::string(what) + " is not a decimal number");
    }
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) {
      return base::InvalidArgumentError(std::string(what) + " is too large");
    }
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::string Checkpoint::ToText() const {
  std::string s = origin;
  s += '\n';
  s += std::to_string(size);
  s += '\n';
  s += base::Base64Encode(root);
  s += '\n';
  for (const auto& e : extensions) {
    s += e;
    s += '\n';
  }
  return s;
}

Result<Checkpoint> Checkpoint::Parse(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return base::InvalidArgumentError("checkpoint: text must end with a newline");
  }
  std::vector<std::string_view> lines;
  std::string_view rest = text.substr(0, text.size() - 1);
  while (true) {
    if (lines.size() == 3 + kMaxCheckpointExtensions) {
      return base::InvalidArgumentError("checkpoint: more than " +
                                        std::to_string(kMaxCheckpointExtensions) +
                                        " extension lines");
    }
    size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) {
    return base::InvalidArgumentError("checkpoint: needs origin, size and root lines, got " +
                                      std::to_string(lines.size()) + " lines");
  }
  Checkpoint cp;
  if (lines[0].empty()) return base::InvalidArgumentError("checkpoint line 1: origin is empty");
  cp.origin = std::string(lines[0]);
  ASSIGN_OR_RETURN(cp.size, ParseDecimal(lines[1], "checkpoint line 2: size"));
  auto root = base::Base64Decode(lines[2]);
  if (!root.ok()) return root.status().WithContext("checkpoint line 3: root is not base64");
  ASSIGN_OR_RETURN(cp.root, HashFromBytes(*root, "checkpoint line 3: root"));
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return base::InvalidArgumentError("checkpoint line " + std::to_string(i + 1) +
                                        ": empty extension line");
    }
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

Result<SignedCheckpoint> OpenCheckpoint(std::string_view note, const NoteVerifier& log_key,
                                        std::span<const NoteVerifier> witnesses,
                                        size_t min_cosignatures) {
  if (log_key.type() != kNoteTypeEd25519) {
    return base::InvalidArgumentError("log key must be an Ed25519 (type 0x01) key");
  }
  std::vector<NoteVerifier> known;
  known.push_back(log_key);
  for (const auto& w : witnesses) {
    if (w.type() != kNoteTypeCosignatureV1) {
      return base::InvalidArgumentError("witness key " + w.name() +
                                        " must be a cosignature/v1 (type 0x04) key");
    }
    known.push_back(w);
  }
  ASSIGN_OR_RETURN(Note opened, OpenNote(note, known));
  SignedCheckpoint out;
  ASSIGN_OR_RETURN(out.checkpoint, Checkpoint::Parse(opened.text));
  if (out.checkpoint.origin != log_key.name()) {
    return base::InvalidArgumentError("checkpoint origin \"" + out.checkpoint.origin +
                                      "\" is not the log key's name \"" + log_key.name() + "\"");
  }
  bool log_signed = false;
  std::set<std::string> witness_names;
  for (const NoteSignature& s : opened.verified) {
    if (s.type == kNoteTypeEd25519 && s.name == log_key.name() &&
        s.key_hash == log_key.key_hash()) {
      log_signed = true;
    } else if (s.type == kNoteTypeCosignatureV1) {
      if (witness_names.insert(s.name).second) {
        out.cosignatures.push_back(Cosignature{s.name, s.key_hash, s.timestamp.value_or(0)});
      }
    }
  }
  if (!log_signed) {
    return base::FailedPreconditionError("checkpoint is not signed by the log key " +
                                         log_key.name());
  }
  if (out.cosignatures.size() < min_cosignatures) {
    return base::FailedPreconditionError(
        "checkpoint has " + std::to_string(out.cosignatures.size()) +
        " valid witness cosignatures, " + std::to_string(min_cosignatures) + " required");
  }
  out.note = std::string(note);
  return out;
}

Result<std::string> SignCheckpoint(const Checkpoint& cp, const NoteSigner& log_key) {
  if (log_key.type() != kNoteTypeEd25519) {
    return base::InvalidArgumentError("log key must be an Ed25519 (type 0x01) key");
  }
  if (cp.origin != log_key.name()) {
    return base::InvalidArgumentError("checkpoint origin \"" + cp.origin +
                                      "\" is not the key name \"" + log_key.name() + "\"");
  }
  std::string text = cp.ToText();
  ASSIGN_OR_RETURN(Checkpoint reparsed, Checkpoint::Parse(text));
  (void)reparsed;
  return SignNote(text, std::span<const NoteSigner>(&log_key, 1));
}

Result<std::string> AddCosignature(std::string_view note, const NoteSigner& witness,
                                   uint64_t timestamp) {
  if (witness.type() != kNoteTypeCosignatureV1) {
    return base::InvalidArgumentError("witness key must be a cosignature/v1 (type 0x04) key");
  }
  ASSIGN_OR_RETURN(auto split, SplitNote(note));
  std::string out(note);
  out += witness.SignatureLine(split.first, timestamp);
  return out;
}

std::string_view EquivocationKindName(EquivocationProof::Kind kind) {
  switch (kind) {
    case EquivocationProof::Kind::kSameSizeDifferentRoot: return "same_size_different_root";
    case EquivocationProof::Kind::kInconsistent: return "inconsistent";
    case EquivocationProof::Kind::kEmptyTreeRoot: return "empty_tree_root";
  }
  return "unknown";
}

std::string EquivocationProof::ToJson() const {
  boost::json::object o;
  o["type"] = "equivocation";
  o["kind"] = std::string(EquivocationKindName(kind));
  o["vkey"] = vkey;
  o["checkpoint1"] = note1;
  o["checkpoint2"] = note2;
  boost::json::array p;
  for (const Hash& h : path) p.emplace_back(HashToHex(h));
  o["path"] = std::move(p);
  return boost::json::serialize(o);
}

Result<EquivocationProof> EquivocationProof::FromJson(std::string_view json) {
  if (json.size() > 4 * kMaxNoteBytes) {
    return base::InvalidArgumentError("equivocation proof: too large");
  }
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 4;
  boost::json::value v = boost::json::parse(json, ec, {}, opts);
  if (ec) return base::InvalidArgumentError("equivocation proof: invalid JSON: " + ec.message());
  const auto* o = v.if_object();
  if (o == nullptr) return base::InvalidArgumentError("equivocation proof: not a JSON object");
  auto str = [&](const char* key) -> Result<std::string> {
    const auto* m = o->if_contains(key);
    if (m == nullptr || !m->is_string()) {
      return base::InvalidArgumentError(std::string("equivocation proof: \"") + key +
                                        "\" must be a string");
    }
    return std::string(m->get_string());
  };
  ASSIGN_OR_RETURN(std::string type, str("type"));
  if (type != "equivocation") {
    return base::InvalidArgumentError("equivocation proof: \"type\" must be \"equivocation\"");
  }
  EquivocationProof p;
  ASSIGN_OR_RETURN(std::string kind, str("kind"));
  if (kind == EquivocationKindName(Kind::kSameSizeDifferentRoot)) {
    p.kind = Kind::kSameSizeDifferentRoot;
  } else if (kind == EquivocationKindName(Kind::kInconsistent)) {
    p.kind = Kind::kInconsistent;
  } else if (kind == EquivocationKindName(Kind::kEmptyTreeRoot)) {
    p.kind = Kind::kEmptyTreeRoot;
  } else {
    return base::InvalidArgumentError("equivocation proof: unknown kind \"" + kind + "\"");
  }
  ASSIGN_OR_RETURN(p.vkey, str("vkey"));
  ASSIGN_OR_RETURN(p.note1, str("checkpoint1"));
  ASSIGN_OR_RETURN(p.note2, str("checkpoint2"));
  if (const auto* m = o->if_contains("path")) {
    const auto* a = m->if_array();
    if (a == nullptr) return base::InvalidArgumentError("equivocation proof: \"path\" must be an array");
    if (a->size() > kMaxProofHashes) {
      return base::InvalidArgumentError("equivocation proof: \"path\" too long");
    }
    for (size_t i = 0; i < a->size(); ++i) {
      const auto* s = (*a)[i].if_string();
      std::string what = "equivocation proof: path[" + std::to_string(i) + "]";
      if (s == nullptr) return base::InvalidArgumentError(what + " must be a hex string");
      ASSIGN_OR_RETURN(Hash h, HashFromHex(std::string_view(s->data(), s->size()), what));
      p.path.push_back(h);
    }
  }
  return p;
}

Result<std::optional<EquivocationProof>> DetectEquivocation(
    std::string_view note_a, std::string_view note_b, const NoteVerifier& log_key,
    std::span<const Hash> consistency_proof) {
  ASSIGN_OR_RETURN(SignedCheckpoint a, OpenCheckpoint(note_a, log_key));
  ASSIGN_OR_RETURN(SignedCheckpoint b, OpenCheckpoint(note_b, log_key));
  if (a.checkpoint.size > b.checkpoint.size) std::swap(a, b);
  EquivocationProof p;
  p.vkey = log_key.ToText();
  p.note1 = a.note;
  p.note2 = b.note;
  for (const SignedCheckpoint* c : {&a, &b}) {
    if (c->checkpoint.size == 0 && c->checkpoint.root != EmptyRoot()) {
      p.kind = EquivocationProof::Kind::kEmptyTreeRoot;
      p.note1 = c->note;
      p.note2 = c->note;
      return std::optional<EquivocationProof>(std::move(p));
    }
  }
  const Checkpoint& c1 = a.checkpoint;
  const Checkpoint& c2 = b.checkpoint;
  if (c1.size == c2.size) {
    if (c1.root == c2.root) return std::optional<EquivocationProof>();
    p.kind = EquivocationProof::Kind::kSameSizeDifferentRoot;
    return std::optional<EquivocationProof>(std::move(p));
  }
  if (VerifyConsistency(c1.size, c2.size, consistency_proof, c1.root, c2.root).ok()) {
    return std::optional<EquivocationProof>();
  }
  // The RFC proof omits MTH(D[0:size1]) when size1 is a power of two, so only a full path
  // (non-power-of-two size1, or the caller's own tree) can show the fork.
  bool pow2 = (c1.size & (c1.size - 1)) == 0;
  if (c1.size > 0 && !pow2) {
    auto roots = RootsFromConsistencyPath(c1.size, c2.size, consistency_proof);
    if (roots.ok() && roots->second == c2.root && roots->first != c1.root) {
      p.kind = EquivocationProof::Kind::kInconsistent;
      p.path.assign(consistency_proof.begin(), consistency_proof.end());
      return std::optional<EquivocationProof>(std::move(p));
    }
  }
  return base::FailedPreconditionError(
      "consistency proof is invalid but proves nothing: it does not lead to the signed root of "
      "size " + std::to_string(c2.size));
}

Status VerifyEquivocationProof(std::string_view json) {
  ASSIGN_OR_RETURN(EquivocationProof p, EquivocationProof::FromJson(json));
  ASSIGN_OR_RETURN(NoteVerifier key, NoteVerifier::Parse(p.vkey));
  auto a = OpenCheckpoint(p.note1, key);
  if (!a.ok()) return a.status().WithContext("checkpoint1");
  auto b = OpenCheckpoint(p.note2, key);
  if (!b.ok()) return b.status().WithContext("checkpoint2");
  const Checkpoint& c1 = a->checkpoint;
  const Checkpoint& c2 = b->checkpoint;
  switch (p.kind) {
    case EquivocationProof::Kind::kEmptyTreeRoot:
      if ((c1.size == 0 && c1.root != EmptyRoot()) || (c2.size == 0 && c2.root != EmptyRoot())) {
        return base::OkStatus();
      }
      return base::FailedPreconditionError("no size-0 checkpoint with a non-empty-tree root");
    case EquivocationProof::Kind::kSameSizeDifferentRoot:
      if (c1.size != c2.size) {
        return base::FailedPreconditionError("checkpoints have different sizes " +
                                             std::to_string(c1.size) + " and " +
                                             std::to_string(c2.size));
      }
      if (c1.root == c2.root) return base::FailedPreconditionError("checkpoints have equal roots");
      return base::OkStatus();
    case EquivocationProof::Kind::kInconsistent: {
      if (c1.size >= c2.size) {
        return base::FailedPreconditionError("checkpoint1 must have the smaller size");
      }
      auto roots = RootsFromConsistencyPath(c1.size, c2.size, p.path);
      if (!roots.ok()) return roots.status().WithContext("path");
      if (roots->second != c2.root) {
        return base::FailedPreconditionError("path does not lead to checkpoint2's root");
      }
      if (roots->first == c1.root) {
        return base::FailedPreconditionError("path shows the checkpoints are consistent");
      }
      return base::OkStatus();
    }
  }
  return base::InternalError("unknown equivocation kind");
}

}  // namespace detente::ledger
