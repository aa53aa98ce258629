// ledger/note.h: C2SP signed notes (golang.org/x/mod/sumdb/note) with Ed25519 keys, and the
// Ed25519 cosignature/v1 signatures of C2SP tlog-cosignature. Format: docs/formats/ledger.md.
//
//   note      = text "\n" signature-line+        (text is non-empty and ends with "\n")
//   sig line  = "— " name " " base64(keyhash[4] || signature) "\n"   (U+2014 em dash)
//   keyhash   = SHA-256(name || "\n" || type || pubkey)[:4], big-endian uint32
//   vkey text = name "+" hex8(keyhash) "+" base64(type || pubkey)
//   skey text = "PRIVATE+KEY+" name "+" hex8(keyhash) "+" base64(type || seed)
// type 0x01: Ed25519 over the note text. type 0x04 (cosignature/v1): the signature is
// u64be(timestamp) || Ed25519("cosignature/v1\ntime " decimal(timestamp) "\n" || text).
//
// Thread-safety: all types are values; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"
#include "crypto/crypto.h"
#include "ledger/merkle.h"

namespace detente::ledger {

inline constexpr uint8_t kNoteTypeEd25519 = 0x01;
inline constexpr uint8_t kNoteTypeCosignatureV1 = 0x04;
// golang.org/x/mod/sumdb/note rejects notes with more than 100 signature lines.
inline constexpr int kMaxNoteSignatures = 100;
// Larger notes are rejected before parsing (a checkpoint is well under 1 KiB).
inline constexpr size_t kMaxNoteBytes = 1 << 20;
inline constexpr std::string_view kNoteSignaturePrefix = "\xE2\x80\x94 ";  // "— "

// A key name: non-empty UTF-8 without whitespace or '+'.
bool IsValidKeyName(std::string_view name);
// The first four bytes of SHA-256(name || "\n" || type || public_key), big-endian.
uint32_t NoteKeyHash(std::string_view name, uint8_t type, base::ByteView public_key);

// Verifies one named key's signatures (type 0x01 or 0x04).
class NoteVerifier {
 public:
  // Parses vkey text. Errors: kInvalidArgument naming the bad part (name, key hash, base64,
  // type, length, "key hash does not match").
  static Result<NoteVerifier> Parse(std::string_view vkey);
  // REQUIRES: IsValidKeyName(name) (else kInvalidArgument); type is 0x01 or 0x04.
  static Result<NoteVerifier> Create(std::string_view name, uint8_t type,
                                     const crypto::PublicKey& key);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  uint8_t type() const { return type_; }
  const crypto::PublicKey& public_key() const { return key_; }
  // The vkey text.
  std::string ToText() const;
  // True iff `sig` (the bytes after the 4-byte key hash) is valid over `text`. For type 0x04,
  // *timestamp receives the signed time when non-null.
  bool Verify(std::string_view text, base::ByteView sig, uint64_t* timestamp = nullptr) const;

 private:
  std::string name_;
  uint32_t key_hash_ = 0;
  uint8_t type_ = kNoteTypeEd25519;
  crypto::PublicKey key_;
};

// Signs notes with one Ed25519 key (type 0x01), or cosigns checkpoints (type 0x04).
class NoteSigner {
 public:
  // Parses skey text (type 0x01 or 0x04). Errors: kInvalidArgument naming the bad part.
  static Result<NoteSigner> Parse(std::string_view skey);
  static Result<NoteSigner> Create(std::string_view name, uint8_t type, crypto::SigningKey key);

  const std::string& name() const { return verifier_.name(); }
  uint32_t key_hash() const { return verifier_.key_hash(); }
  uint8_t type() const { return verifier_.type(); }
  const NoteVerifier& verifier() const { return verifier_; }
  const crypto::SigningKey& key() const { return key_; }
  std::string ToText() const;  // skey text; secret

  // The signature line (with its "\n") over `text`. For type 0x04 `timestamp` is signed too;
  // it is ignored for 0x01.
  std::string SignatureLine(std::string_view text, uint64_t timestamp = 0) const;

 private:
  NoteSigner(NoteVerifier v, crypto::SigningKey k) : verifier_(std::move(v)), key_(std::move(k)) {}
  NoteVerifier verifier_;
  crypto::SigningKey key_;
};

// Checks that `text` can be a note's text: non-empty, ends with "\n", valid UTF-8 without
// control characters other than "\n". Errors: kInvalidArgument.
Status ValidateNoteText(std::string_view text);
// text + "\n" + one signature line per signer. Errors: as ValidateNoteText.
Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner> signers);

struct NoteSignature {
  std::string name;
  uint32_t key_hash = 0;
  std::string base64;               // as it appeared on the line
  uint8_t type = 0;                 // of the verifier, 0 when unverified
  std::optional<uint64_t> timestamp;  // cosignature/v1 time
};

struct Note {
  std::string text;
  std::vector<NoteSignature> verified;    // in order of appearance, duplicates dropped
  std::vector<NoteSignature> unverified;  // lines of unknown keys
};

// Parses `msg` and verifies every signature line whose (name, key hash) is in `known`.
// Errors (all name the line or byte offset): kInvalidArgument for a malformed note (size,
// UTF-8, control characters, no blank line, bad signature line, too many signatures);
// kFailedPrecondition for a known key's invalid signature ("invalid signature by NAME") and
// when no known key signed the note ("no known key verified the note").
Result<Note> OpenNote(std::string_view msg, std::span<const NoteVerifier> known);

// Splits a note without verifying: the text and its signature lines. Same malformation errors.
Result<std::pair<std::string, std::vector<NoteSignature>>> SplitNote(std::string_view msg);

}  // namespace detente::ledger
