// ledger/note.cc: signed notes and cosignatures. Tested by tests/ledger/note_test.cc.
//
// Parsing follows golang.org/x/mod/sumdb/note's Open: the whole message must be UTF-8 without
// control characters except "\n"; the text ends at the last "\n\n"; every signature line must
// be well formed even when its key is unknown; more than 100 lines is malformed; a known key's
// bad signature fails the note; unknown keys are reported, not trusted.
#include "ledger/note.h"

#include <array>
#include <cstring>
#include <set>
#include <utility>

#include "ledger/merkle.h"

namespace detente::ledger {
namespace {

constexpr std::string_view kPrivateKeyPrefix = "PRIVATE+KEY+";
constexpr std::string_view kCosignatureHeader = "cosignature/v1\ntime ";
constexpr size_t kCosignatureTimestampSize = 8;

// Decodes one UTF-8 code point at s[i]; returns its length or 0 when invalid.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  uint8_t c = b(0);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n;
  uint32_t v;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) {
    n = 2; v = c & 0x1F; min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3; v = c & 0x0F; min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4; v = c & 0x07; min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

// Go's unicode.IsSpace.
bool IsUnicodeSpace(uint32_t cp) {
  switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string Hex8(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(8, '0');
  for (int i = 7; i >= 0; --i) {
    s[static_cast<size_t>(i)] = kDigits[v & 0xF];
    v >>= 4;
  }
  return s;
}

Result<uint32_t> ParseHex8(std::string_view s, std::string_view what) {
  if (s.size() != 8) {
    return base::InvalidArgumentError(std::string(what) + ": key hash must be 8 hex digits");
  }
  uint32_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return base::InvalidArgumentError(std::string(what) + ": key hash is not hex");
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  return v;
}

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

std::string CosignedMessage(std::string_view text, uint64_t timestamp) {
  std::string m(kCosignatureHeader);
  m += std::to_string(timestamp);
  m += '\n';
  m += text;
  return m;
}

// Splits "a+b" at the first '+'.
std::pair<std::string_view, std::string_view> Chop(std::string_view s, char sep) {
  size_t i = s.find(sep);
  if (i == std::string_view::npos) return {s, std::string_view()};
  return {s.substr(0, i), s.substr(i + 1)};
}

// Validates the whole message as Go's Open does; `what` names it in errors.
Status ValidateNoteChars(std::string_view msg, std::string_view what) {
  for (size_t i = 0; i < msg.size();) {
    uint32_t cp;
    size_t n = DecodeUtf8(msg, i, &cp);
    if (n == 0) {
      return base::InvalidArgumentError(std::string(what) + ": invalid UTF-8 at byte " +
                                        std::to_string(i));
    }
    if (cp < 0x20 && cp != '\n') {
      return base::InvalidArgumentError(std::string(what) + ": control character at byte " +
                                        std::to_string(i));
    }
    i += n;
  }
  return base::OkStatus();
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp;
    size_t n = DecodeUtf8(name, i, &cp);
    if (n == 0 || cp == '+' || IsUnicodeSpace(cp)) return false;
    i += n;
  }
  return true;
}

uint32_t NoteKeyHash(std::string_view name, uint8_t type, base::ByteView public_key) {
  Bytes buf(name.begin(), name.end());
  buf.push_back('\n');
  buf.push_back(type);
  buf.insert(buf.end(), public_key.begin(), public_key.end());
  Hash h = Sha256(buf);
  return BigEndian32(h.data());
}

Result<NoteVerifier> NoteVerifier::Create(std::string_view name, uint8_t type,
                                          const crypto::PublicKey& key) {
  if (!IsValidKeyName(name)) {
    return base::InvalidArgumentError("invalid key name \"" + std::string(name) +
                                      "\": must be non-empty without spaces or '+'");
  }
  if (type != kNoteTypeEd25519 && type != kNoteTypeCosignatureV1) {
    return base::InvalidArgumentError("unsupported key type " + std::to_string(type));
  }
  NoteVerifier v;
  v.name_ = std::string(name);
  v.type_ = type;
  v.key_ = key;
  v.key_hash_ = NoteKeyHash(name, type, key.raw());
  return v;
}

Result<NoteVerifier> NoteVerifier::Parse(std::string_view vkey) {
  while (!vkey.empty() && (vkey.back() == '\n' || vkey.back() == '\r')) vkey.remove_suffix(1);
  auto [name, rest] = Chop(vkey, '+');
  auto [hash16, key64] = Chop(rest, '+');
  if (!IsValidKeyName(name)) {
    return base::InvalidArgumentError("verifier key: invalid name \"" + std::string(name) + "\"");
  }
  ASSIGN_OR_RETURN(uint32_t hash, ParseHex8(hash16, "verifier key"));
  auto key = base::Base64Decode(key64);
  if (!key.ok()) return key.status().WithContext("verifier key: key is not base64");
  if (key->size() != 1 + crypto::kEd25519PublicKeySize) {
    return base::InvalidArgumentError("verifier key: key must be 1 type byte + 32 bytes, got " +
                                      std::to_string(key->size()) + " bytes");
  }
  uint8_t type = (*key)[0];
  if (type != kNoteTypeEd25519 && type != kNoteTypeCosignatureV1) {
    return base::InvalidArgumentError("verifier key: unsupported key type " +
                                      std::to_string(type));
  }
  if (NoteKeyHash(name, type, base::ByteView(*key).subspan(1)) != hash) {
    return base::InvalidArgumentError("verifier key: key hash does not match name and key");
  }
  ASSIGN_OR_RETURN(auto pub, crypto::PublicKey::FromBytes(base::ByteView(*key).subspan(1)));
  return Create(name, type, pub);
}

std::string NoteVerifier::ToText() const {
  Bytes k;
  k.push_back(type_);
  k.insert(k.end(), key_.raw().begin(), key_.raw().end());
  return name_ + "+" + Hex8(key_hash_) + "+" + base::Base64Encode(k);
}

bool NoteVerifier::Verify(std::string_view text, base::ByteView sig, uint64_t* timestamp) const {
  if (type_ == kNoteTypeEd25519) {
    if (sig.size() != crypto::kEd25519SignatureSize) return false;
    return key_.Verify(text, sig);
  }
  if (sig.size() != kCosignatureTimestampSize + crypto::kEd25519SignatureSize) return false;
  uint64_t t = 0;
  for (size_t i = 0; i < kCosignatureTimestampSize; ++i) t = (t << 8) | sig[i];
  if (!key_.Verify(CosignedMessage(text, t), sig.subspan(kCosignatureTimestampSize))) {
    return false;
  }
  if (timestamp != nullptr) *timestamp = t;
  return true;
}

Result<NoteSigner> NoteSigner::Create(std::string_view name, uint8_t type,
                                      crypto::SigningKey key) {
  ASSIGN_OR_RETURN(NoteVerifier v, NoteVerifier::Create(name, type, key.public_key()));
  return NoteSigner(std::move(v), std::move(key));
}

Result<NoteSigner> NoteSigner::Parse(std::string_view skey) {
  while (!skey.empty() && (skey.back() == '\n' || skey.back() == '\r')) skey.remove_suffix(1);
  if (skey.substr(0, kPrivateKeyPrefix.size()) != kPrivateKeyPrefix) {
    return base::InvalidArgumentError("signer key: must start with PRIVATE+KEY+");
  }
  skey.remove_prefix(kPrivateKeyPrefix.size());
  auto [name, rest] = Chop(skey, '+');
  auto [hash16, key64] = Chop(rest, '+');
  if (!IsValidKeyName(name)) {
    return base::InvalidArgumentError("signer key: invalid name");
  }
  ASSIGN_OR_RETURN(uint32_t hash, ParseHex8(hash16, "signer key"));
  auto key = base::Base64Decode(key64);
  if (!key.ok()) return base::InvalidArgumentError("signer key: key is not base64");
  if (key->size() != 1 + crypto::kEd25519SeedSize) {
    return base::InvalidArgumentError("signer key: key must be 1 type byte + 32 bytes");
  }
  uint8_t type = (*key)[0];
  ASSIGN_OR_RETURN(auto sk, crypto::SigningKey::FromSeed(base::ByteView(*key).subspan(1)));
  std::fill(key->begin(), key->end(), 0);
  ASSIGN_OR_RETURN(NoteSigner signer, Create(name, type, std::move(sk)));
  if (signer.key_hash() != hash) {
    return base::InvalidArgumentError("signer key: key hash does not match name and key");
  }
  return signer;
}

std::string NoteSigner::ToText() const {
  Bytes k;
  k.push_back(type());
  k.insert(k.end(), key_.seed().begin(), key_.seed().end());
  std::string s = std::string(kPrivateKeyPrefix) + name() + "+" + Hex8(key_hash()) + "+" +
                  base::Base64Encode(k);
  std::fill(k.begin(), k.end(), 0);
  return s;
}

std::string NoteSigner::SignatureLine(std::string_view text, uint64_t timestamp) const {
  // key hash (4) || [timestamp (8)] || Ed25519 signature (64), in a fixed buffer.
  std::array<uint8_t, 4 + kCosignatureTimestampSize + crypto::kEd25519SignatureSize> sig{};
  uint32_t kh = key_hash();
  for (size_t i = 0; i < 4; ++i) sig[i] = static_cast<uint8_t>(kh >> (24 - 8 * i));
  size_t len = 4;
  crypto::Signature raw;
  if (type() == kNoteTypeCosignatureV1) {
    for (size_t i = 0; i < kCosignatureTimestampSize; ++i) {
      sig[len + i] = static_cast<uint8_t>(timestamp >> (56 - 8 * i));
    }
    len += kCosignatureTimestampSize;
    raw = key_.Sign(CosignedMessage(text, timestamp));
  } else {
    raw = key_.Sign(text);
  }
  std::copy(raw.begin(), raw.end(), sig.begin() + static_cast<std::ptrdiff_t>(len));
  len += raw.size();
  return std::string(kNoteSignaturePrefix) + name() + " " +
         base::Base64Encode(base::ByteView(sig.data(), len)) + "\n";
}

Status ValidateNoteText(std::string_view text) {
  if (text.empty()) return base::InvalidArgumentError("note text is empty");
  if (text.back() != '\n') return base::InvalidArgumentError("note text must end with a newline");
  if (text.size() > kMaxNoteBytes) return base::InvalidArgumentError("note text too large");
  return ValidateNoteChars(text, "note text");
}

Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner> signers) {
  RETURN_IF_ERROR(ValidateNoteText(text));
  std::string out(text);
  out += '\n';
  for (const NoteSigner& s : signers) out += s.SignatureLine(text);
  return out;
}

Result<std::pair<std::string, std::vector<NoteSignature>>> SplitNote(std::string_view msg) {
  if (msg.size() > kMaxNoteBytes) {
    return base::InvalidArgumentError("note: larger than " + std::to_string(kMaxNoteBytes) +
                                      " bytes");
  }
  RETURN_IF_ERROR(ValidateNoteChars(msg, "note"));
  size_t split = msg.rfind("\n\n");
  if (split == std::string_view::npos) {
    return base::InvalidArgumentError("note: no blank line before the signatures");
  }
  std::string_view text = msg.substr(0, split + 1);
  std::string_view sigs = msg.substr(split + 2);
  if (sigs.empty()) return base::InvalidArgumentError("note: no signature lines");
  if (sigs.back() != '\n') {
    return base::InvalidArgumentError("note: last signature line does not end with a newline");
  }
  // Line numbers for errors count from the first line of the whole note.
  size_t line_no = 1;
  for (char c : text) line_no += c == '\n';
  std::vector<NoteSignature> out;
  int count = 0;
  while (!sigs.empty()) {
    ++line_no;
    size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    std::string where = "note line " + std::to_string(line_no);
    if (++count > kMaxNoteSignatures) {
      return base::InvalidArgumentError("note: more than " + std::to_string(kMaxNoteSignatures) +
                                        " signatures");
    }
    if (line.substr(0, kNoteSignaturePrefix.size()) != kNoteSignaturePrefix) {
      return base::InvalidArgumentError(where + ": signature line must start with \"— \"");
    }
    line.remove_prefix(kNoteSignaturePrefix.size());
    auto [name, b64] = Chop(line, ' ');
    if (!IsValidKeyName(name)) {
      return base::InvalidArgumentError(where + ": invalid key name");
    }
    if (b64.empty()) return base::InvalidArgumentError(where + ": missing signature");
    auto sig = base::Base64Decode(b64);
    if (!sig.ok()) return base::InvalidArgumentError(where + ": signature is not base64");
    if (sig->size() < 5) return base::InvalidArgumentError(where + ": signature too short");
    NoteSignature s;
    s.name = std::string(name);
    s.key_hash = BigEndian32(sig->data());
    s.base64 = std::string(b64);
    out.push_back(std::move(s));
  }
  return std::make_pair(std::string(text), std::move(out));
}

Result<Note> OpenNote(std::string_view msg, std::span<const NoteVerifier> known) {
  ASSIGN_OR_RETURN(auto split, SplitNote(msg));
  Note note;
  note.text = std::move(split.first);
  std::set<std::pair<std::string, uint32_t>> seen;
  std::set<std::string> seen_unverified;
  for (NoteSignature& s : split.second) {
    const NoteVerifier* v = nullptr;
    for (const NoteVerifier& k : known) {
      if (k.name() == s.name && k.key_hash() == s.key_hash) {
        v = &k;
        break;
      }
    }
    if (v == nullptr) {
      if (seen_unverified.insert(s.name + " " + s.base64).second) {
        note.unverified.push_back(std::move(s));
      }
      continue;
    }
    if (!seen.insert({s.name, s.key_hash}).second) continue;
    Bytes sig = *base::Base64Decode(s.base64);  // decoded once already by SplitNote
    uint64_t ts = 0;
    if (!v->Verify(note.text, base::ByteView(sig).subspan(4), &ts)) {
      return base::FailedPreconditionError("note: invalid signature by " + s.name + "+" +
                                           Hex8(s.key_hash));
    }
    s.type = v->type();
    if (v->type() == kNoteTypeCosignatureV1) s.timestamp = ts;
    note.verified.push_back(std::move(s));
  }
  if (note.verified.empty()) {
    return base::FailedPreconditionError("note: no known key verified the note");
  }
  return note;
}

}  // namespace detente::ledger
