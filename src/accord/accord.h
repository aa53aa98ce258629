// accord/accord.h: the public header of the accord module (depends on base, crypto, store,
// stix, ledger, taxii): accord documents, signed envelopes, the party log's entry headers,
// receipts, and the Exchange: a node's record of every message it originated or accepted,
// kept in the node database together with the party's Merkle log, each effect and its log
// entry in one transaction. Transport-free: peer moves the bytes, server serves them.
// Formats (documents, envelopes, entry headers, receipts, storage) with a worked example:
// ../../docs/formats/accord.md. The request and violation workflows and the scorecard, as
// pure functions over messages: workflow.h (../../docs/formats/workflows.md).
// One deliberate exception to "one public header": case_json.h, the Boost.JSON views of cases,
// shares and sightings shared by the CLI and the HTTP API, is included only by those who print
// them, so that every includer of accord.h does not pull in Boost.JSON.
//
// Thread-safety: documents, envelopes and free functions are values / pure. An Exchange is NOT
// thread-safe (it owns one connection and the in-memory log state); serialise calls with a
// mutex or use one Exchange per thread. Two processes may each hold an Exchange on one node
// database: every append re-reads the stored log size under the database's write lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "accord/workflow.h"
#include "base/base.h"
#include "crypto/crypto.h"
#include "ledger/ledger.h"
#include "store/store.h"

namespace detente::accord {

using base::Result;
using base::Status;

// ---------------------------------------------------------------------------------------------
// Accord documents
//
//   {"type": "detente-accord", "v": 1, "name": "...", "created": "<RFC 3339>",
//    "parties": [{"name": "alpha", "key": "<base64 Ed25519 public key>",
//                 "endpoints": ["https://alpha.example:8443"]}, ...],
//    "commitments": [{"id": "C1", "text": "..."}, ...],
//    "deadlines": {"critical": {"acknowledge_s": 3600, "respond_s": 86400}, "high": {...},
//                  "medium": {...}, "low": {...}},
//    "tlp_default": "amber",
//    "witnesses": ["alpha", "beta"],
//    "signatures": {"alpha": "<base64 Ed25519 signature>", ...}}
//
// The accord's body is the document without "signatures"; its hash (the accord id) is the
// lower-case hex SHA-256 of the body's RFC 8785 canonical JSON, and each party signs those
// canonical bytes. The accord is in force when every party has signed. Party names follow
// server::CheckSimpleName's rule ([A-Za-z0-9._-]{1,64}, not starting with '.' or '-').
// Priorities are exactly critical, high, medium, low; tlp_default one of clear, green, amber,
// amber+strict, red; witnesses name parties.

inline constexpr size_t kMaxAccordBytes = 1 << 20;
inline constexpr size_t kMaxParties = 64;

struct Party {
  std::string name;
  crypto::PublicKey key;
  std::vector<std::string> endpoints;  // base URLs (http:// or https://), may be empty
};

struct Commitment {
  std::string id;
  std::string text;
};

struct Deadline {
  int64_t acknowledge_s = 0;  // > 0
  int64_t respond_s = 0;      // >= acknowledge_s
};

struct Accord {
  std::string name;
  std::string created;  // RFC 3339 as written
  std::vector<Party> parties;  // in document order, names unique
  std::vector<Commitment> commitments;
  std::map<std::string, Deadline> deadlines;  // by priority
  std::string tlp_default = "amber";
  std::vector<std::string> witnesses;
  std::map<std::string, std::string> signatures;  // party -> base64 signature

  // Errors: kInvalidArgument naming the JSON Pointer of what is wrong
  // ("/parties/1/key: not a base64 Ed25519 public key"); unknown members are errors.
  static Result<Accord> Parse(std::string_view json);
  // The whole document, canonical (RFC 8785).
  std::string ToJson() const;
  // The canonical body (no "signatures"): the bytes each party signs.
  std::string BodyJson() const;
  // Hex SHA-256 of BodyJson(): the accord id and the genesis of every party log.
  std::string Hash() const;
  const Party* FindParty(std::string_view name) const;

  // Adds or replaces `party`'s signature. Errors: kNotFound (not a party),
  // kInvalidArgument (`key` is not the party's key in the document).
  Status Sign(std::string_view party, const crypto::SigningKey& key);
  // Checks every signature present. Errors: kFailedPrecondition naming the party whose
  // signature is invalid, or (when require_all) the first party that has not signed.
  Status Verify(bool require_all = true) const;
};

// The origin line of `party`'s log in the accord with hash `accord_hash`:
// "detente/<first 16 hex of the hash>/<party>".
std::string LogOrigin(std::string_view accord_hash, std::string_view party);
// The checkpoint verifier (note type 0x01, named LogOrigin) and the witness cosignature
// verifier (type 0x04, same name) of a party: both use the party's accord key.
Result<ledger::NoteVerifier> LogVerifier(const Accord& accord, std::string_view party);
Result<ledger::NoteVerifier> WitnessVerifier(const Accord& accord, std::string_view party);

// ---------------------------------------------------------------------------------------------
// Envelopes
//
//   {"v": 1, "accord": "<accord hash>", "from": "alpha", "to": ["beta", "gamma"],
//    "seq": 7, "id": "<UUID v4>", "kind": "note", "created": "<RFC 3339 UTC, ms>",
//    "refs": ["<message id>", ...], "tlp": "amber", "body": {...}, "sig": "<base64>"}
//
// `sig` is Ed25519 by `from`'s accord key over the RFC 8785 canonical JSON of the envelope
// without "sig". The signed envelope's bytes are the canonical JSON of the whole object; they
// are what is stored and sent, and `digest` = hex SHA-256 of them. `seq` is the index of the
// envelope's entry in the sender's log. `to` is sorted, unique, without `from`, non-empty.
// kind: [a-z][a-z0-9-]{0,31}. body: a JSON object. The signed envelope is at most
// kMaxEnvelopeBytes.

inline constexpr size_t kMaxEnvelopeBytes = 8 << 20;
inline constexpr int kEnvelopeVersion = 1;

struct Envelope {
  std::string accord;
  std::string from;
  std::vector<std::string> to;
  uint64_t seq = 0;
  std::string id;
  std::string kind;
  std::string created;
  std::vector<std::string> refs;
  std::string tlp = "amber";
  std::string body = "{}";  // canonical JSON of the body object
  std::string sig;          // base64; empty until signed

  // The canonical JSON without "sig" (what is signed).
  std::string SigningBytes() const;
  // The canonical JSON with "sig" (what is stored, sent and digested). REQUIRES: signed.
  std::string ToJson() const;
  // Hex SHA-256 of ToJson().
  std::string Digest() const;
  // Parses a signed envelope. The input must be exactly its canonical form (a party signs
  // and sends canonical bytes; anything else is rejected as non-canonical, which makes the
  // digest unambiguous). Errors: kInvalidArgument naming the member ("envelope /to: not
  // sorted"), kResourceExhausted (larger than kMaxEnvelopeBytes).
  static Result<Envelope> Parse(std::string_view json);
};

// Signs `env` (sets sig) with `key`. Errors: kInvalidArgument (fields invalid as above).
Status SignEnvelope(Envelope& env, const crypto::SigningKey& key);
// Checks the signature against the accord's key of env.from, and that env.accord is the
// accord's hash and every party named exists. Errors: kFailedPrecondition
// ("envelope <id>: invalid signature by alpha"), kNotFound (unknown party).
Status VerifyEnvelope(const Envelope& env, const Accord& accord);

// The entry header appended to the sender's log for an envelope:
//   canonical {"created","digest","id","kind","seq","to"}
std::string EntryHeader(const Envelope& env);
// Entry 0 of every party log: canonical {"accord": hash, "kind": "genesis", "party": name,
// "seq": 0}.
std::string GenesisEntry(std::string_view accord_hash, std::string_view party);

// The body of a receipt (kind "receipt", from the recipient to the sender, refs [id]):
//   {"envelope": id, "from": sender, "seq": n, "digest": hex, "checkpoint": "<the sender's
//    checkpoint note the recipient verified the envelope's inclusion against>"}
struct ReceiptBody {
  std::string envelope;
  std::string from;
  uint64_t seq = 0;
  std::string digest;
  std::string checkpoint;
  std::string ToJson() const;  // canonical
  static Result<ReceiptBody> Parse(std::string_view json);
};

// ---------------------------------------------------------------------------------------------
// The Exchange: a node's messages and its party log, in the node database.

// A signed envelope with the proof that it is in its sender's log.
struct ProvenEnvelope {
  std::string envelope;            // the signed envelope bytes
  uint64_t index = 0;              // == seq
  std::vector<ledger::Hash> proof;  // inclusion at `size` of the checkpoint it travels with
};

// A batch of one sender's envelopes, as sent to one recipient: the sender's checkpoint, the
// inclusion proof of each envelope at that checkpoint's size, and the consistency proof from
// `held_size` (the size of the sender's checkpoint the recipient last confirmed holding) to it.
struct Delivery {
  std::string checkpoint;  // the sender's signed checkpoint note
  uint64_t held_size = 0;
  std::vector<ledger::Hash> consistency;
  std::vector<ProvenEnvelope> envelopes;
};

enum class AcceptOutcome { kAccepted, kDuplicate, kRejected };

struct AcceptResult {
  std::string id;  // envelope id ("" when it did not parse)
  AcceptOutcome outcome = AcceptOutcome::kRejected;
  std::string error;     // for kRejected: what is wrong
  std::string receipt;   // kAccepted/kDuplicate: the signed receipt envelope bytes
  uint64_t receipt_index = 0;
};

// What the recipient answers a Delivery with: per envelope a result, its own checkpoint, the
// inclusion proof of each receipt at that checkpoint, the consistency proof from
// `sender_held_size` (the size of the recipient's log the sender said it holds), and the size
// of the sender's log the recipient now holds.
struct DeliveryAnswer {
  std::vector<AcceptResult> results;
  std::vector<std::vector<ledger::Hash>> receipt_proofs;  // parallel to results; empty if none
  std::string checkpoint;  // the recipient's checkpoint note
  std::vector<ledger::Hash> consistency;
  uint64_t held_size = 0;  // the sender's log size the recipient holds after this delivery
};

struct Message {
  std::string id;
  std::string from;
  std::vector<std::string> to;
  uint64_t seq = 0;
  std::string kind;
  std::string created;
  std::vector<std::string> refs;
  std::string tlp;
  std::string body;      // canonical JSON
  std::string envelope;  // signed bytes
  bool outgoing = false;
  std::string received_at;  // when accepted (incoming) or created (outgoing)
};

// One (outgoing message, recipient) pair.
struct DeliveryState {
  std::string id;
  std::string recipient;
  enum class State { kPending, kDelivered, kFailed } state = State::kPending;
  int attempts = 0;
  std::string next_attempt;  // RFC 3339
  std::string last_error;
  std::string receipt_id;
};

struct Alert {
  int64_t id = 0;
  std::string kind;   // "equivocation", "inconsistent-checkpoint", "bad-receipt", ...
  std::string party;  // whom it is about
  std::string detail;  // human text
  std::string evidence;  // JSON (e.g. an EquivocationProof) or ""
  std::string created;
};

// What the node holds of a partner's log: the latest checkpoint it verified and accepted
// (consistency-checked against the one before).
struct PeerLogState {
  std::string party;
  uint64_t size = 0;
  std::string checkpoint;   // note ("" when none yet)
  std::string received_at;
};

// One finding of Exchange::Verify.
struct Finding {
  std::string what;   // "message 1b4e...: signature by beta invalid"
  std::string where;  // "accord_messages row id=..." / "ledger entry 12"
};

struct VerifyReport {
  uint64_t messages = 0, receipts = 0, checkpoints = 0, log_entries = 0, cosignatures = 0;
  std::vector<Finding> findings;  // empty: everything holds
};

// The module's schema migrations (accord_* tables; see docs/formats/accord.md "Storage").
std::span<const store::Migration> Migrations();

struct ExchangeOptions {
  const base::Clock* clock = nullptr;  // null: SystemClock::Default()
  // Retry schedule of the outbox: first retry after `backoff_initial_ms`, doubling up to
  // `backoff_max_ms`, with ±20% jitter; after `max_attempts` a delivery is kFailed (still
  // listed as undelivered; `detente status` shows it; RetryFailed() re-arms it).
  int64_t backoff_initial_ms = 500;
  int64_t backoff_max_ms = 60'000;
  int max_attempts = 1000;
};

class Exchange {
 public:
  // Opens the node's exchange on `conn` (migrations of accord and ledger applied). The accord
  // is read from the database (kFailedPrecondition "this node has not joined an accord" if
  // none). `key` is the party's signing key (signing.key) and must be the accord's key of
  // `party`.
  static Result<std::unique_ptr<Exchange>> Open(std::unique_ptr<store::Connection> conn,
                                                std::string party, crypto::SigningKey key,
                                                ExchangeOptions options = {});
  // Joins the node to `accord` (which must verify with every signature): stores it and
  // creates the party log with its genesis entry. Idempotent for the same accord;
  // kAlreadyExists for a different one. Errors: kFailedPrecondition (accord not fully signed,
  // or `key` is not `party`'s key in it), kNotFound (party not in the accord).
  static Status Join(store::Connection& conn, const Accord& accord, std::string_view party,
                     const crypto::SigningKey& key);
  // The joined accord, if any.
  static Result<std::optional<Accord>> LoadAccord(store::Connection& conn);

  ~Exchange();
  const Accord& accord() const;
  const std::string& party() const;
  store::Connection& connection();
  ledger::Log& log();
  // The clock the exchange stamps messages with (ExchangeOptions::clock).
  const base::Clock& clock() const;

  // Originates a message: builds and signs the envelope (seq = next log index, id = new UUID,
  // created = now), appends its entry header to the party log, stores the message and one
  // pending delivery per recipient, all in one transaction. Returns the signed envelope.
  // Errors: kInvalidArgument (unknown recipient, bad kind or tlp, body not a JSON object),
  // store errors (nothing written).
  Result<Envelope> Originate(std::string_view kind, std::span<const std::string> to,
                             std::string_view body_json, std::string_view tlp = "amber",
                             std::span<const std::string> refs = {});
  // The same, but `precondition` runs inside the transaction once this party's log is locked
  // (no other thread or process can originate until it commits or rolls back); an error from
  // it is returned and nothing is written. For check-then-send steps that must not race
  // another sender on the same node (e.g. `detente request escalate` and serve's ticker).
  using Precondition = std::function<Status()>;
  Result<Envelope> OriginateIf(std::string_view kind, std::span<const std::string> to,
                               std::string_view body_json, std::string_view tlp,
                               std::span<const std::string> refs, const Precondition& precondition);
  // The same for many messages in one transaction (one log batch); for benchmarks and bulk.
  struct Draft {
    std::string kind;
    std::vector<std::string> to;
    std::string body = "{}";
    std::string tlp = "amber";
    std::vector<std::string> refs;
  };
  Result<std::vector<Envelope>> OriginateBatch(std::span<const Draft> drafts,
                                               const Precondition& precondition = {});

  // Recipient side: checks a Delivery from `sender` and accepts each new envelope addressed to
  // this party: sender's checkpoint signature, consistency from the checkpoint held (held_size
  // must equal what this node holds, else kFailedPrecondition "held size mismatch: I hold N",
  // with the answer's held_size set), each envelope's signature, accord, recipient and
  // inclusion at the checkpoint. Stores each accepted message and appends a signed receipt to
  // this party's log, all in one transaction (so a receipt exists iff the message is stored).
  // A duplicate (same id, same digest) gets its existing receipt; a rejected envelope does not
  // stop the others. A checkpoint inconsistent with the held one is stored as an equivocation
  // alert and the whole delivery is rejected. `sender_held_size` is the size of this node's
  // log the sender holds (for the answer's consistency proof).
  // Errors (the whole delivery refused): kInvalidArgument (malformed), kFailedPrecondition
  // (bad checkpoint, inconsistency, held size mismatch), kPermissionDenied (sender is not a
  // party).
  Result<DeliveryAnswer> Accept(std::string_view sender, const Delivery& delivery,
                                uint64_t sender_held_size);

  // Sender side: the next batch for `recipient`: up to `max` pending envelopes whose next
  // attempt is due, with proofs at the current checkpoint and consistency from what this node
  // believes the recipient holds of its log. Empty envelopes when nothing is due.
  Result<Delivery> NextDelivery(std::string_view recipient, size_t max);
  // Every envelope from this party to `recipient` with seq > after_seq (up to max), as a
  // Delivery whose consistency proof starts at `held_size` (pull).
  Result<Delivery> DeliveryFor(std::string_view recipient, uint64_t after_seq, uint64_t held_size,
                               size_t max);
  // Records the answer to a Delivery sent to `recipient`: verifies each receipt (signature,
  // body digest, inclusion in the recipient's checkpoint, consistency with the held
  // checkpoint of the recipient), stores it and marks the delivery delivered; rejected
  // envelopes are scheduled for retry with their error. Errors: kFailedPrecondition when the
  // recipient's checkpoint or a receipt does not verify (nothing is marked delivered; an alert
  // is stored).
  Status RecordAnswer(std::string_view recipient, const Delivery& sent,
                      const DeliveryAnswer& answer);
  // Records a failed attempt (network error, timeout, garbage) for the envelopes of `sent`:
  // attempts+1, next attempt by the backoff schedule, last_error.
  Status RecordFailure(std::string_view recipient, const Delivery& sent, std::string_view error);
  // Sets the size this node believes `recipient` holds of its log (after a "held size
  // mismatch" answer).
  Status SetRecipientHeld(std::string_view recipient, uint64_t size);
  // The highest seq of `sender`'s messages this node has accepted (for pull), 0 if none.
  Result<uint64_t> LastAcceptedSeq(std::string_view sender);

  // Witnessing. Checks `note` (a checkpoint of `party`'s log) against the one held: signature,
  // and consistency (`proof` from the held size to the note's size, or same size same root).
  // A newer consistent checkpoint replaces the held one and is returned cosigned by this node
  // (as a note with this node's cosignature line added). An inconsistent one becomes an
  // equivocation proof stored as an alert (kind "equivocation"), and the call returns
  // kFailedPrecondition "equivocation by <party>: ...". An older consistent one is only
  // checked. Errors: kInvalidArgument (malformed), kFailedPrecondition as above.
  Result<std::string> Witness(std::string_view party, std::string_view note,
                              std::span<const ledger::Hash> proof);
  // Stores a cosignature of this node's checkpoint made by `witness` (the note with their
  // cosignature line). Errors: kFailedPrecondition (bad cosignature or not our checkpoint).
  Status AddCosignature(std::string_view witness, std::string_view cosigned_note);
  // Compares two signed checkpoints of `party` that this node saw (e.g. one held and one a
  // third party reported) with the consistency proof between them (from `party`); stores an
  // equivocation alert when they provably fork. Returns true when they are consistent.
  Result<bool> CheckCheckpoints(std::string_view party, std::string_view note_a,
                                std::string_view note_b, std::span<const ledger::Hash> proof);

  // Reading.
  Result<std::vector<PeerLogState>> PeerLogs();
  // The size of `party`'s log this node holds (PeerLogState::size), 0 when it holds none.
  Result<uint64_t> HeldSize(std::string_view party);
  Result<std::vector<DeliveryState>> Undelivered();
  Result<std::vector<Alert>> Alerts();
  Result<std::vector<Message>> Messages(size_t limit = 1000, uint64_t offset = 0);
  Result<std::optional<Message>> FindMessage(std::string_view id);
  // The proof that message `id` is in its sender's log: for an outgoing message, inclusion at
  // this party's latest checkpoint (the log is first brought to the stored size); for an
  // incoming one, the sender's checkpoint and inclusion proof verified when it was accepted.
  // nullopt when the node holds no such message.
  struct MessageProof {
    std::string checkpoint;  // the sender's signed checkpoint note
    uint64_t index = 0;      // the message's seq (leaf index)
    std::vector<ledger::Hash> inclusion;  // at the checkpoint's size
  };
  Result<std::optional<MessageProof>> ProveMessage(std::string_view id);
  Status RetryFailed();

  // Checks everything the node holds, trusting nothing in the database: the accord's
  // signatures; the party log (ledger::Log::Verify of every stored hash and checkpoint);
  // every outgoing message's signature, and that its entry header is the log entry at its seq;
  // every incoming message's signature and its stored inclusion proof against the stored
  // checkpoint of its sender; every receipt (signature, digest, proof); every held and
  // cosigned checkpoint's signatures and the consistency of successive held checkpoints.
  // Each failure is a Finding; the call itself fails only when the database cannot be read.
  Result<VerifyReport> Verify();

 private:
  struct Impl;
  explicit Exchange(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace detente::accord

// The workflows on a node (requests, violations, shares, sightings, scorecard).
#include "accord/workflows.h"  // IWYU pragma: export
