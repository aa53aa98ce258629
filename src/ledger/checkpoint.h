// ledger/checkpoint.h: C2SP tlog-checkpoint bodies, signed checkpoints with witness
// cosignatures (C2SP tlog-cosignature), and equivocation evidence. Format:
// docs/formats/ledger.md.
//
//   checkpoint = origin "\n" decimal(size) "\n" base64(root) "\n" *(extension "\n")
//
// A log's checkpoint key is named after its origin; OpenCheckpoint enforces that.
//
// Thread-safety: values and free functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/note.h"

namespace detente::ledger {

inline constexpr size_t kMaxCheckpointExtensions = 16;

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;

  // The note text (the "checkpoint body").
  std::string ToText() const;
  // Errors: kInvalidArgument naming the line ("checkpoint line 2: size has a leading zero").
  static Result<Checkpoint> Parse(std::string_view text);
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

struct Cosignature {
  std::string name;
  uint32_t key_hash = 0;
  uint64_t timestamp = 0;
};

struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string note;                       // the whole signed note, verbatim
  std::vector<Cosignature> cosignatures;  // verified witness cosignatures
};

// Opens `note` with the log's key and optional witness keys (type 0x04), parses the body and
// checks that the log key (named after the origin) signed it and that at least
// `min_cosignatures` distinct witnesses cosigned it.
// Errors: kInvalidArgument (malformed note or body, origin differs from the key name),
// kFailedPrecondition (bad or missing log signature, bad cosignature, too few cosignatures).
Result<SignedCheckpoint> OpenCheckpoint(std::string_view note, const NoteVerifier& log_key,
                                        std::span<const NoteVerifier> witnesses = {},
                                        size_t min_cosignatures = 0);

// Signs `cp` as a note with `log_key` (type 0x01). Errors: kInvalidArgument when the key name
// is not the origin or the body is not a valid note text.
Result<std::string> SignCheckpoint(const Checkpoint& cp, const NoteSigner& log_key);

// Returns `note` with a cosignature/v1 line by `witness` (type 0x04) at `timestamp` appended.
// The witness is expected to have checked the checkpoint (log signature and consistency with
// what it saw before) first. Errors: kInvalidArgument (malformed note, wrong key type).
Result<std::string> AddCosignature(std::string_view note, const NoteSigner& witness,
                                   uint64_t timestamp);

// Self-contained evidence that a log signed two inconsistent checkpoints.
struct EquivocationProof {
  enum class Kind {
    kSameSizeDifferentRoot,  // both notes at one size with different roots
    kInconsistent,           // `path` leads to root2 but to a root1 other than the signed one
    kEmptyTreeRoot,          // a signed size-0 checkpoint whose root is not SHA-256("")
  };
  Kind kind = Kind::kSameSizeDifferentRoot;
  std::string vkey;   // the log's verifier key text
  std::string note1;  // the smaller (or equal) size
  std::string note2;
  // kInconsistent: the consistency full path (RootsFromConsistencyPath) from size1 to size2.
  std::vector<Hash> path;

  // {"type":"equivocation","kind":...,"vkey":...,"checkpoint1":...,"checkpoint2":...,
  //  "path":[hex...]}
  std::string ToJson() const;
  // Errors: kInvalidArgument naming the bad member.
  static Result<EquivocationProof> FromJson(std::string_view json);
};

std::string_view EquivocationKindName(EquivocationProof::Kind kind);

// Compares two checkpoints signed by `log_key` (any order). Returns nullopt when they are
// consistent (equal sizes and roots, or `consistency_proof`, the log's RFC 9162 proof between
// the two sizes, verifies), and evidence when they provably are not.
// Errors: kInvalidArgument / kFailedPrecondition from opening the notes; kInvalidArgument when
// the origins differ; kFailedPrecondition ("consistency proof is invalid but proves nothing")
// when the proof neither verifies nor proves a fork (e.g. it does not lead to root2): the log
// may be misbehaving, but a third party could not tell.
Result<std::optional<EquivocationProof>> DetectEquivocation(
    std::string_view note_a, std::string_view note_b, const NoteVerifier& log_key,
    std::span<const Hash> consistency_proof);

// Checks evidence from anyone: both notes verify under the embedded vkey, same origin, and
// the evidence shows the fork. OK means "this log equivocated".
// Errors: kInvalidArgument (malformed), kFailedPrecondition (the evidence does not prove it).
Status VerifyEquivocationProof(std::string_view json);

}  // namespace detente::ledger
