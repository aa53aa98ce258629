// accord/exchange.cc: the Exchange, a node's messages, deliveries, receipts and witnessed
// checkpoints in the node database next to its party log (ledger_* tables): every effect and
// its log entry commit in one transaction. Storage: docs/formats/accord.md ("Storage").
// Tested by tests/accord/exchange_test.cc.
#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <system_error>
#include <thread>

#include "accord/accord.h"
#include "accord/internal.h"
#include "accord/shares_schema.h"

namespace detente::accord {
namespace json = boost::json;
using store::Value;

namespace {

// The first column of the first row of a one-row query (a size, a count, a MAX) as a uint64_t;
// 0 when there is no row, or its value is NULL (Rows reads NULL as 0).
Result<uint64_t> QueryUint(store::Connection& conn, std::string_view sql,
                           std::initializer_list<Value> params) {
  ASSIGN_OR_RETURN(auto rows, conn.Query(sql, params));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return uint64_t{0};
  }
  return static_cast<uint64_t>(rows->Int64(0));
}

constexpr std::string_view kSqliteSchema = R"sql(
CREATE TABLE accord_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accord_messages (
  id TEXT PRIMARY KEY,
  sender TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  created TEXT NOT NULL,
  recipients TEXT NOT NULL,
  refs TEXT NOT NULL,
  tlp TEXT NOT NULL,
  body TEXT NOT NULL,
  envelope TEXT NOT NULL,
  digest TEXT NOT NULL,
  outgoing INTEGER NOT NULL,
  received_at TEXT NOT NULL,
  checkpoint TEXT NOT NULL DEFAULT '',
  proof TEXT NOT NULL DEFAULT '[]',
  receipt_id TEXT NOT NULL DEFAULT '',
  UNIQUE (sender, seq)
);
CREATE TABLE accord_deliveries (
  message_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_us INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  receipt_id TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (message_id, recipient)
);
CREATE INDEX accord_deliveries_due ON accord_deliveries (recipient, state, next_attempt_us);
CREATE INDEX accord_deliveries_seq ON accord_deliveries (recipient, seq);
CREATE TABLE accord_receipts (
  envelope_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  receipt_id TEXT NOT NULL,
  receipt TEXT NOT NULL,
  receipt_index INTEGER NOT NULL,
  checkpoint TEXT NOT NULL,
  proof TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (envelope_id, recipient)
);
CREATE TABLE accord_peer_logs (
  party TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  note TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE TABLE accord_peer_checkpoints (
  party TEXT NOT NULL,
  size INTEGER NOT NULL,
  note TEXT NOT NULL,
  prev_size INTEGER NOT NULL,
  consistency TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (party, size)
);
CREATE TABLE accord_cosignatures (
  witness TEXT NOT NULL,
  size INTEGER NOT NULL,
  note TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (witness, size)
);
CREATE TABLE accord_recipient_held (recipient TEXT PRIMARY KEY, size INTEGER NOT NULL);
CREATE TABLE accord_peer_endpoints (party TEXT PRIMARY KEY, url TEXT NOT NULL);
CREATE TABLE accord_alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  party TEXT NOT NULL,
  detail TEXT NOT NULL,
  evidence TEXT NOT NULL,
  created TEXT NOT NULL
);
)sql";

constexpr std::string_view kPostgresSchema = R"sql(
CREATE TABLE accord_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accord_messages (
  id TEXT PRIMARY KEY, sender TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,
  created TEXT NOT NULL, recipients TEXT NOT NULL, refs TEXT NOT NULL, tlp TEXT NOT NULL,
  body TEXT NOT NULL, envelope TEXT NOT NULL, digest TEXT NOT NULL, outgoing INTEGER NOT NULL,
  received_at TEXT NOT NULL, checkpoint TEXT NOT NULL DEFAULT '',
  proof TEXT NOT NULL DEFAULT '[]', receipt_id TEXT NOT NULL DEFAULT '',
  UNIQUE (sender, seq));
CREATE TABLE accord_deliveries (
  message_id TEXT NOT NULL, recipient TEXT NOT NULL, seq BIGINT NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_us BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '', receipt_id TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (message_id, recipient));
CREATE INDEX accord_deliveries_due ON accord_deliveries (recipient, state, next_attempt_us);
CREATE INDEX accord_deliveries_seq ON accord_deliveries (recipient, seq);
CREATE TABLE accord_receipts (
  envelope_id TEXT NOT NULL, recipient TEXT NOT NULL, receipt_id TEXT NOT NULL,
  receipt TEXT NOT NULL, receipt_index BIGINT NOT NULL, checkpoint TEXT NOT NULL,
  proof TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (envelope_id, recipient));
CREATE TABLE accord_peer_logs (party TEXT PRIMARY KEY, size BIGINT NOT NULL, note TEXT NOT NULL,
  received_at TEXT NOT NULL);
CREATE TABLE accord_peer_checkpoints (party TEXT NOT NULL, size BIGINT NOT NULL,
  note TEXT NOT NULL, prev_size BIGINT NOT NULL, consistency TEXT NOT NULL,
  received_at TEXT NOT NULL, PRIMARY KEY (party, size));
CREATE TABLE accord_cosignatures (witness TEXT NOT NULL, size BIGINT NOT NULL,
  note TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (witness, size));
CREATE TABLE accord_recipient_held (recipient TEXT PRIMARY KEY, size BIGINT NOT NULL);
CREATE TABLE accord_peer_endpoints (party TEXT PRIMARY KEY, url TEXT NOT NULL);
CREATE TABLE accord_alerts (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, party TEXT NOT NULL,
  detail TEXT NOT NULL, evidence TEXT NOT NULL, created TEXT NOT NULL);
)sql";

// One Accept handles at most this many envelopes (the peer codec's limit is lower).
constexpr size_t kMaxDeliveryEnvelopes = 10'000;

const store::Migration kMigrations[] = {
    {"accord", 1, "accord, messages, deliveries, receipts, peer checkpoints, alerts",
     kSqliteSchema, kPostgresSchema},
    {"accord-shares", 1, "shares, retractions, sightings (shares_schema.h)",
     internal::kSharesSqliteSchema, internal::kSharesPostgresSchema},
};

std::vector<store::Migration> AllMigrations() {
  std::vector<store::Migration> m(std::begin(kMigrations), std::end(kMigrations));
  for (const auto& l : ledger::Migrations()) m.push_back(l);
  return m;
}

Status MigrateAll(store::Connection& conn) {
  if (conn.in_transaction()) return base::OkStatus();
  auto m = AllMigrations();
  return store::Migrate(conn, m);
}

std::string JsonStrings(std::span<const std::string> v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(json::string(s));
  return json::serialize(a);
}

int64_t NowMicros(const base::Clock& clock) {
  base::Timestamp t = clock.Now();
  return t.unix_seconds() * 1'000'000 + t.nanos() / 1000;
}

std::string MicrosToRfc3339(int64_t us) {
  return base::Timestamp::FromUnixNanos(us * 1000).FormatMillis();
}

Result<std::optional<std::string>> GetMeta(store::Connection& conn, std::string_view key) {
  ASSIGN_OR_RETURN(auto rows,
                   conn.Query("SELECT value FROM accord_meta WHERE key = $1", {Value(key)}));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::string(rows->Text(0)));
}

// The id and seq of an envelope this node built (no full validation: it is our own).
Result<std::pair<std::string, uint64_t>> IdAndSeq(std::string_view envelope) {
  ASSIGN_OR_RETURN(json::value v, internal::ParseJson(envelope, "sent envelope"));
  const json::object* o = v.if_object();
  const json::value* id = o != nullptr ? o->if_contains("id") : nullptr;
  const json::value* seq = o != nullptr ? o->if_contains("seq") : nullptr;
  if (id == nullptr || !id->is_string() || seq == nullptr || !seq->is_int64() ||
      seq->as_int64() < 0) {
    return base::InvalidArgumentError("sent envelope: no id or seq");
  }
  return std::make_pair(std::string(id->as_string()), static_cast<uint64_t>(seq->as_int64()));
}

// Runs fn(i) for every i in [0, n), split over this thread and one more when n is large enough
// to repay starting a thread (signing and verifying Ed25519 dominate a delivery's CPU time, and
// the signatures of a batch are independent). fn must be safe to run concurrently for distinct
// i; it returns nothing and records its result at index i. Falls back to one thread when no
// thread can be started.
template <typename Fn>
void ParallelFor(size_t n, const Fn& fn) {
  constexpr size_t kMinParallel = 16;
  size_t split = n >= kMinParallel ? n / 2 : n;
  std::optional<std::thread> helper;
  if (split < n) {
    try {
      helper.emplace([&fn, split, n] {
        for (size_t i = split; i < n; ++i) fn(i);
      });
    } catch (const std::system_error&) {
      split = n;
    }
  }
  for (size_t i = 0; i < split; ++i) fn(i);
  if (helper) helper->join();
}

// A freshly signed envelope of this party with its bytes, digest and entry header.
struct Signed {
  Status status;
  std::string bytes;
  std::string digest;
  std::string header;
};

// Signs every envelope in `envs` (in parallel) and serialises each once. REQUIRES: every
// envelope's fields are set except sig.
std::vector<Signed> SignAll(std::vector<Envelope>& envs, const crypto::SigningKey& key) {
  std::vector<Signed> out(envs.size());
  ParallelFor(envs.size(), [&](size_t i) {
    Signed& s = out[i];
    s.status = SignEnvelope(envs[i], key);
    if (!s.status.ok()) return;
    // Signed (so validated, with a canonical body): the direct forms apply.
    s.bytes = internal::ParsedEnvelopeJson(envs[i], true);
    s.digest = base::HexEncode(crypto::Sha256(s.bytes));
    s.header = internal::ParsedEntryHeader(envs[i], s.digest);
  });
  return out;
}

}  // namespace

std::span<const store::Migration> Migrations() { return kMigrations; }

// ---------------------------------------------------------------------------------------------

struct Exchange::Impl {
  std::unique_ptr<store::Connection> conn;
  std::string party;
  std::optional<crypto::SigningKey> key;
  Accord accord;
  std::string hash;
  std::unique_ptr<ledger::Log> log;
  const base::Clock* clock = nullptr;
  ExchangeOptions options;
  std::map<std::string, ledger::NoteVerifier> log_verifiers;      // party -> 0x01
  std::map<std::string, ledger::NoteVerifier> witness_verifiers;  // party -> 0x04
  std::optional<ledger::NoteSigner> cosigner;
  std::mt19937_64 rng{std::random_device{}()};

  int64_t now_us() const { return NowMicros(*clock); }
  std::string now() const { return clock->Now().FormatMillis(); }

  // Serialises appenders and brings the in-memory log to the stored size. REQUIRES: in a tx.
  Status LockLog() {
    RETURN_IF_ERROR(
        conn->Exec("UPDATE ledger_meta SET value = value WHERE key = 'origin'").status());
    return SyncLog();
  }
  // Reloads the in-memory log when another process (or a rolled-back transaction) moved it.
  Status SyncLog() {
    ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT MAX(size) FROM ledger_checkpoints"));
    if (!rows->Next()) {
      RETURN_IF_ERROR(rows->status());
      return base::DataLossError("the party log has no checkpoint");
    }
    auto stored = static_cast<uint64_t>(rows->Int64(0));
    rows.reset();
    if (stored != log->size()) RETURN_IF_ERROR(log->Reload());
    return base::OkStatus();
  }

  // Counts a failed attempt of (message `id`, `recipient`) unless it was delivered meanwhile:
  // attempts+1, the next attempt after Backoff(attempts), `error` (cut to 1 KiB) kept, and
  // kFailed once max_attempts is reached. REQUIRES: inside a transaction.
  Status ScheduleRetry(std::string_view id, std::string_view recipient, std::string error,
                       int64_t now_us) {
    ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT attempts FROM accord_deliveries WHERE "
                                            "message_id = $1 AND recipient = $2 AND "
                                            "state <> 'delivered'",
                                            {Value(id), Value(recipient)}));
    if (!rows->Next()) return rows->status();
    int attempts = static_cast<int>(rows->Int64(0)) + 1;
    rows.reset();
    std::string state = attempts >= options.max_attempts ? "failed" : "pending";
    if (error.size() > 1024) error.resize(1024);
    return conn
        ->Exec("UPDATE accord_deliveries SET attempts = $1, state = $2, next_attempt_us = $3, "
               "last_error = $4 WHERE message_id = $5 AND recipient = $6",
               {Value(attempts), Value(state), Value(now_us + Backoff(attempts)),
                Value(std::move(error)), Value(id), Value(recipient)})
        .status();
  }

  Status AddAlert(std::string_view kind, std::string_view about, std::string_view detail,
                  std::string_view evidence) {
    // One alert per distinct (kind, party, evidence or detail).
    ASSIGN_OR_RETURN(auto rows,
                     conn->Query("SELECT id FROM accord_alerts WHERE kind = $1 AND party = $2 AND "
                                 "evidence = $3 AND detail = $4",
                                 {Value(kind), Value(about), Value(evidence), Value(detail)}));
    if (rows->Next()) return base::OkStatus();
    RETURN_IF_ERROR(rows->status());
    rows.reset();
    return conn
        ->Exec("INSERT INTO accord_alerts (kind, party, detail, evidence, created) "
               "VALUES ($1, $2, $3, $4, $5)",
               {Value(kind), Value(about), Value(detail), Value(evidence), Value(now())})
        .status();
  }

  struct Held {
    uint64_t size = 0;
    std::string note;
    ledger::Hash root{};
  };
  Result<std::optional<Held>> GetHeld(std::string_view who) {
    ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT size, note FROM accord_peer_logs "
                                            "WHERE party = $1",
                                            {Value(who)}));
    if (!rows->Next()) {
      RETURN_IF_ERROR(rows->status());
      return std::optional<Held>();
    }
    Held h;
    h.size = static_cast<uint64_t>(rows->Int64(0));
    h.note = std::string(rows->Text(1));
    rows.reset();
    auto cp = ledger::OpenCheckpoint(h.note, log_verifiers.at(std::string(who)));
    if (!cp.ok()) {
      return base::DataLossError("held checkpoint of " + std::string(who) + ": " +
                                 cp.status().message());
    }
    h.root = cp->checkpoint.root;
    return std::optional<Held>(h);
  }

  // Checks `note` (of `who`) against the held one with `proof`; on a provable fork stores an
  // equivocation alert. Returns the opened checkpoint and whether it is newer than the held.
  struct Checked {
    ledger::SignedCheckpoint cp;
    bool newer = false;
    uint64_t prev_size = 0;
  };
  Result<Checked> CheckAgainstHeld(std::string_view who, std::string_view note,
                                   std::span<const ledger::Hash> proof, bool allow_older) {
    const auto& verifier = log_verifiers.at(std::string(who));
    auto cp = ledger::OpenCheckpoint(note, verifier);
    if (!cp.ok()) {
      if (cp.status().code() == base::StatusCode::kInvalidArgument) {
        return cp.status().WithContext("checkpoint of " + std::string(who));
      }
      return base::FailedPreconditionError("checkpoint of " + std::string(who) + ": " +
                                           cp.status().message());
    }
    Checked out;
    out.cp = std::move(*cp);
    ASSIGN_OR_RETURN(auto held, GetHeld(who));
    if (!held.has_value()) {
      out.newer = true;
      return out;
    }
    out.prev_size = held->size;
    uint64_t size = out.cp.checkpoint.size;
    Status consistent = base::OkStatus();
    std::string older_note, newer_note;
    if (size >= held->size) {
      consistent = ledger::VerifyConsistency(held->size, size, proof, held->root,
                                             out.cp.checkpoint.root);
      older_note = held->note;
      newer_note = std::string(note);
    } else {
      if (!allow_older) {
        return base::FailedPreconditionError(
            "checkpoint of " + std::string(who) + " at size " + std::to_string(size) +
            " is older than the one held (size " + std::to_string(held->size) + ")");
      }
      consistent = ledger::VerifyConsistency(size, held->size, proof, out.cp.checkpoint.root,
                                             held->root);
      older_note = std::string(note);
      newer_note = held->note;
    }
    if (consistent.ok()) {
      out.newer = size > held->size;
      return out;
    }
    auto evidence = ledger::DetectEquivocation(older_note, newer_note, verifier, proof);
    if (evidence.ok() && evidence->has_value()) {
      std::string ev = (*evidence)->ToJson();
      std::string detail = "two inconsistent checkpoints of " + std::string(who) + " (sizes " +
                           std::to_string(std::min(size, held->size)) + " and " +
                           std::to_string(std::max(size, held->size)) + ")";
      // Outside any caller transaction: the alert must survive the refusal.
      RETURN_IF_ERROR(AddAlert("equivocation", who, detail, ev));
      return base::FailedPreconditionError("equivocation by " + std::string(who) + ": " + detail);
    }
    return base::FailedPreconditionError(
        "checkpoint of " + std::string(who) + " at size " + std::to_string(size) +
        " is not proven consistent with the held one (size " + std::to_string(held->size) +
        "): " + consistent.message());
  }

  // Stores `note` as the held checkpoint of `who` (in the caller's transaction).
  Status StoreHeld(std::string_view who, const Checked& c, std::string_view note,
                   std::span<const ledger::Hash> proof) {
    if (!c.newer) return base::OkStatus();
    int64_t size = static_cast<int64_t>(c.cp.checkpoint.size);
    std::string at = now();
    RETURN_IF_ERROR(conn->Exec("INSERT INTO accord_peer_logs (party, size, note, received_at) "
                               "VALUES ($1, $2, $3, $4) ON CONFLICT (party) DO UPDATE SET "
                               "size = excluded.size, note = excluded.note, "
                               "received_at = excluded.received_at",
                               {Value(who), Value(size), Value(note), Value(at)})
                        .status());
    return conn
        ->Exec("INSERT INTO accord_peer_checkpoints (party, size, note, prev_size, consistency, "
               "received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (party, size) DO NOTHING",
               {Value(who), Value(size), Value(note), Value(static_cast<int64_t>(c.prev_size)),
                Value(internal::HexList(proof)), Value(at)})
        .status();
  }

  Result<uint64_t> RecipientHeld(std::string_view recipient) {
    return QueryUint(*conn, "SELECT size FROM accord_recipient_held WHERE recipient = $1",
                     {Value(recipient)});
  }

  Result<Delivery> BuildDelivery(std::string_view recipient, uint64_t held,
                                 const std::vector<std::pair<std::string, uint64_t>>& envs) {
    Delivery d;
    d.checkpoint = log->checkpoint();
    d.held_size = held;
    uint64_t size = log->size();
    if (held > size) {
      return base::FailedPreconditionError(
          std::string(recipient) + " is believed to hold size " + std::to_string(held) +
          " of this party's log, which has only " + std::to_string(size) + " entries");
    }
    if (held > 0 && held < size) {
      ASSIGN_OR_RETURN(auto cp, log->ProveConsistency(held, size));
      d.consistency = std::move(cp.proof);
    }
    for (const auto& [env, seq] : envs) {
      ProvenEnvelope pe;
      pe.envelope = env;
      pe.index = seq;
      ASSIGN_OR_RETURN(auto ip, log->ProveInclusion(seq, size));
      pe.proof = std::move(ip.proof);
      d.envelopes.push_back(std::move(pe));
    }
    return d;
  }

  Status ValidateRecipients(std::vector<std::string>& to) {
    std::sort(to.begin(), to.end());
    to.erase(std::unique(to.begin(), to.end()), to.end());
    if (to.empty()) return base::InvalidArgumentError("no recipient");
    for (const auto& t : to) {
      if (t == party) return base::InvalidArgumentError("a party cannot send to itself");
      if (accord.FindParty(t) == nullptr) {
        return base::InvalidArgumentError("unknown recipient \"" + t + "\"");
      }
    }
    return base::OkStatus();
  }

  Status InsertMessage(const Envelope& e, bool outgoing, std::string_view received_at,
                       std::string_view checkpoint, std::string_view proof,
                       std::string_view receipt_id, const std::string& bytes,
                       const std::string& digest) {
    return conn
        ->Exec("INSERT INTO accord_messages (id, sender, seq, kind, created, recipients, refs, "
               "tlp, body, envelope, digest, outgoing, received_at, checkpoint, proof, "
               "receipt_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
               "$14, $15, $16)",
               {Value(e.id), Value(e.from), Value(static_cast<int64_t>(e.seq)), Value(e.kind),
                Value(e.created), Value(JsonStrings(e.to)), Value(JsonStrings(e.refs)),
                Value(e.tlp), Value(e.body), Value(bytes), Value(digest),
                Value(outgoing ? 1 : 0), Value(received_at), Value(checkpoint), Value(proof),
                Value(receipt_id)})
        .status();
  }

  int64_t Backoff(int attempts) {
    double ms = static_cast<double>(options.backoff_initial_ms);
    for (int i = 1; i < attempts && ms < static_cast<double>(options.backoff_max_ms); ++i) ms *= 2;
    ms = std::min(ms, static_cast<double>(options.backoff_max_ms));
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    return static_cast<int64_t>(ms * jitter(rng) * 1000.0);
  }
};

Exchange::Exchange(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Exchange::~Exchange() = default;
const Accord& Exchange::accord() const { return impl_->accord; }
const std::string& Exchange::party() const { return impl_->party; }
store::Connection& Exchange::connection() { return *impl_->conn; }
ledger::Log& Exchange::log() { return *impl_->log; }
const base::Clock& Exchange::clock() const { return *impl_->clock; }

Result<std::optional<Accord>> Exchange::LoadAccord(store::Connection& conn) {
  RETURN_IF_ERROR(MigrateAll(conn));
  ASSIGN_OR_RETURN(auto text, GetMeta(conn, "accord"));
  if (!text.has_value()) return std::optional<Accord>();
  auto a = Accord::Parse(*text);
  if (!a.ok()) return base::DataLossError("stored accord: " + a.status().message());
  return std::optional<Accord>(std::move(*a));
}

Status Exchange::Join(store::Connection& conn, const Accord& accord, std::string_view party,
                      const crypto::SigningKey& key) {
  const Party* p = accord.FindParty(party);
  if (p == nullptr) {
    return base::NotFoundError("\"" + std::string(party) + "\" is not a party of the accord");
  }
  RETURN_IF_ERROR(accord.Verify(true));
  if (!(p->key == key.public_key())) {
    return base::FailedPreconditionError("the node's key is not " + std::string(party) +
                                         "'s key in the accord");
  }
  RETURN_IF_ERROR(MigrateAll(conn));
  std::string hash = accord.Hash();
  ASSIGN_OR_RETURN(auto stored_hash, GetMeta(conn, "hash"));
  if (stored_hash.has_value()) {
    ASSIGN_OR_RETURN(auto stored_party, GetMeta(conn, "party"));
    if (*stored_hash == hash && stored_party.has_value() && *stored_party == party) {
      return base::OkStatus();
    }
    return base::AlreadyExistsError("this node already joined accord " + *stored_hash +
                                    (stored_party ? " as " + *stored_party : std::string()));
  }
  ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(conn));
  for (auto [k, v] : {std::pair<std::string_view, std::string>{"accord", accord.ToJson()},
                      {"hash", hash},
                      {"party", std::string(party)}}) {
    RETURN_IF_ERROR(conn.Exec("INSERT INTO accord_meta (key, value) VALUES ($1, $2)",
                              {Value(k), Value(v)})
                        .status());
  }
  ASSIGN_OR_RETURN(auto log, ledger::Log::CreateIn(conn, LogOrigin(hash, party), key));
  std::string genesis = GenesisEntry(hash, party);
  std::string_view entries[] = {genesis};
  RETURN_IF_ERROR(log->AppendInTransaction(entries).status());
  return tx.Commit();
}

Result<std::unique_ptr<Exchange>> Exchange::Open(std::unique_ptr<store::Connection> conn,
                                                 std::string party, crypto::SigningKey key,
                                                 ExchangeOptions options) {
  ASSIGN_OR_RETURN(auto accord, LoadAccord(*conn));
  if (!accord.has_value()) {
    return base::FailedPreconditionError("this node has not joined an accord");
  }
  ASSIGN_OR_RETURN(auto stored_party, GetMeta(*conn, "party"));
  if (!stored_party.has_value() || *stored_party != party) {
    return base::FailedPreconditionError("this node joined the accord as " +
                                         stored_party.value_or("nobody") + ", not " + party);
  }
  const Party* p = accord->FindParty(party);
  if (p == nullptr) return base::NotFoundError(party + " is not a party of the stored accord");
  if (!(p->key == key.public_key())) {
    return base::FailedPreconditionError("the signing key is not " + party +
                                         "'s key in the accord");
  }
  auto impl = std::make_unique<Impl>();
  impl->hash = accord->Hash();
  impl->accord = std::move(*accord);
  impl->party = party;
  impl->key = key;
  impl->clock = options.clock != nullptr ? options.clock : &base::SystemClock::Default();
  impl->options = options;
  impl->conn = std::move(conn);
  for (const Party& q : impl->accord.parties) {
    ASSIGN_OR_RETURN(auto lv, LogVerifier(impl->accord, q.name));
    ASSIGN_OR_RETURN(auto wv, WitnessVerifier(impl->accord, q.name));
    impl->log_verifiers.emplace(q.name, lv);
    impl->witness_verifiers.emplace(q.name, wv);
  }
  ASSIGN_OR_RETURN(auto cs, ledger::NoteSigner::Create(LogOrigin(impl->hash, party),
                                                       ledger::kNoteTypeCosignatureV1, key));
  impl->cosigner = std::move(cs);
  auto log = ledger::Log::OpenIn(*impl->conn, key);
  if (!log.ok()) return log.status().WithContext("party log");
  impl->log = std::move(*log);
  if (impl->log->origin() != LogOrigin(impl->hash, party)) {
    return base::DataLossError("the party log's origin " + impl->log->origin() +
                               " is not " + LogOrigin(impl->hash, party));
  }
  return std::unique_ptr<Exchange>(new Exchange(std::move(impl)));
}

// ---------------------------------------------------------------------------------------------
// Originating

Result<Envelope> Exchange::Originate(std::string_view kind, std::span<const std::string> to,
                                     std::string_view body_json, std::string_view tlp,
                                     std::span<const std::string> refs) {
  Draft d;
  d.kind = std::string(kind);
  d.to.assign(to.begin(), to.end());
  d.body = std::string(body_json);
  d.tlp = std::string(tlp);
  d.refs.assign(refs.begin(), refs.end());
  ASSIGN_OR_RETURN(auto envs, OriginateBatch(std::span<const Draft>(&d, 1)));
  return std::move(envs[0]);
}

Result<Envelope> Exchange::OriginateIf(std::string_view kind, std::span<const std::string> to,
                                       std::string_view body_json, std::string_view tlp,
                                       std::span<const std::string> refs,
                                       const Precondition& precondition) {
  Draft d;
  d.kind = std::string(kind);
  d.to.assign(to.begin(), to.end());
  d.body = std::string(body_json);
  d.tlp = std::string(tlp);
  d.refs.assign(refs.begin(), refs.end());
  ASSIGN_OR_RETURN(auto envs, OriginateBatch(std::span<const Draft>(&d, 1), precondition));
  return std::move(envs[0]);
}

Result<std::vector<Envelope>> Exchange::OriginateBatch(std::span<const Draft> drafts,
                                                       const Precondition& precondition) {
  Impl& m = *impl_;
  std::vector<Envelope> envs;
  envs.reserve(drafts.size());
  for (size_t i = 0; i < drafts.size(); ++i) {
    const Draft& d = drafts[i];
    Envelope e;
    e.accord = m.hash;
    e.from = m.party;
    e.to = d.to;
    Status s = m.ValidateRecipients(e.to);
    if (!s.ok()) return s.WithContext("draft " + std::to_string(i));
    if (!internal::IsKind(d.kind)) {
      return base::InvalidArgumentError("draft " + std::to_string(i) + ": kind \"" +
                                        d.kind.substr(0, 64) + "\" is not [a-z][a-z0-9-]{0,31}");
    }
    if (d.kind == "receipt" || d.kind == "genesis") {
      return base::InvalidArgumentError("draft " + std::to_string(i) + ": kind \"" + d.kind +
                                        "\" is reserved");
    }
    e.kind = d.kind;
    if (!internal::IsTlp(d.tlp)) {
      return base::InvalidArgumentError("draft " + std::to_string(i) + ": tlp \"" +
                                        d.tlp.substr(0, 64) + "\" is not one of clear, green, "
                                        "amber, amber+strict, red");
    }
    e.tlp = d.tlp;
    auto body = base::CanonicalizeJson(d.body);
    if (!body.ok()) return body.status().WithContext("draft " + std::to_string(i) + ": body");
    if (body->empty() || (*body)[0] != '{') {
      return base::InvalidArgumentError("draft " + std::to_string(i) +
                                        ": body is not a JSON object");
    }
    e.body = std::move(*body);
    e.refs = d.refs;
    envs.push_back(std::move(e));
  }
  if (envs.empty()) return envs;

  auto run = [&]() -> Status {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*m.conn));
    RETURN_IF_ERROR(m.LockLog());
    if (precondition) RETURN_IF_ERROR(precondition());
    uint64_t first = m.log->size();
    std::string created = m.now();
    int64_t now_us = m.now_us();
    for (size_t i = 0; i < envs.size(); ++i) {
      Envelope& e = envs[i];
      e.seq = first + i;
      e.id = base::Uuid::V4().ToString();
      e.created = created;
    }
    std::vector<Signed> sigs = SignAll(envs, *m.key);
    std::vector<std::string_view> views;
    views.reserve(envs.size());
    for (size_t i = 0; i < envs.size(); ++i) {
      RETURN_IF_ERROR(sigs[i].status.WithContext("draft " + std::to_string(i)));
      views.push_back(sigs[i].header);
    }
    ASSIGN_OR_RETURN(uint64_t at, m.log->AppendInTransaction(views));
    if (at != first) return base::InternalError("log appended at an unexpected index");
    std::vector<std::vector<Value>> deliveries;
    for (size_t i = 0; i < envs.size(); ++i) {
      const Envelope& e = envs[i];
      RETURN_IF_ERROR(
          m.InsertMessage(e, true, created, "", "[]", "", sigs[i].bytes, sigs[i].digest));
      for (const auto& r : e.to) {
        deliveries.push_back({Value(e.id), Value(r), Value(static_cast<int64_t>(e.seq)),
                              Value(now_us)});
      }
    }
    RETURN_IF_ERROR(m.conn
                        ->ExecBatch("INSERT INTO accord_deliveries (message_id, recipient, seq, "
                                    "state, next_attempt_us) VALUES ($1, $2, $3, 'pending', $4)",
                                    deliveries)
                        .status());
    return tx.Commit();
  };
  Status s = run();
  if (!s.ok()) {
    if (m.conn->in_transaction()) m.conn->Rollback().IgnoreError();
    m.log->Reload().IgnoreError();
    return s;
  }
  return envs;
}

// ---------------------------------------------------------------------------------------------
// Accepting

Result<DeliveryAnswer> Exchange::Accept(std::string_view sender, const Delivery& delivery,
                                        uint64_t sender_held_size) {
  Impl& m = *impl_;
  if (m.accord.FindParty(sender) == nullptr || sender == m.party) {
    return base::PermissionDeniedError("\"" + std::string(sender).substr(0, 64) +
                                       "\" is not a partner in the accord");
  }
  if (delivery.consistency.size() > ledger::kMaxProofHashes) {
    return base::InvalidArgumentError("consistency proof too long");
  }
  if (delivery.envelopes.size() > kMaxDeliveryEnvelopes) {
    return base::InvalidArgumentError("delivery of " + std::to_string(delivery.envelopes.size()) +
                                      " envelopes; at most " +
                                      std::to_string(kMaxDeliveryEnvelopes) + " are accepted");
  }
  ASSIGN_OR_RETURN(auto held, m.GetHeld(sender));
  uint64_t held_size = held.has_value() ? held->size : 0;
  if (delivery.held_size != held_size) {
    return base::FailedPreconditionError("held size mismatch: I hold " +
                                         std::to_string(held_size));
  }
  ASSIGN_OR_RETURN(auto checked, m.CheckAgainstHeld(sender, delivery.checkpoint,
                                                    delivery.consistency, false));
  const ledger::Checkpoint& cp = checked.cp.checkpoint;

  DeliveryAnswer answer;
  struct Pending {
    size_t result;
    Envelope env;
    std::string bytes;
    std::string digest;
    std::string proof;
  };
  std::vector<Pending> accepted;
  std::set<std::string> batch_ids;
  // Parse, verify and hash every envelope first, in parallel (no store access); the checks
  // that read the store follow in order below.
  struct Parsed {
    std::optional<Result<Envelope>> env;
    Status sig;
    std::string digest;
  };
  std::vector<Parsed> parsed(delivery.envelopes.size());
  ParallelFor(parsed.size(), [&](size_t i) {
    Parsed& p = parsed[i];
    const std::string& bytes = delivery.envelopes[i].envelope;
    p.env.emplace(Envelope::Parse(bytes));
    if (!p.env->ok()) return;
    // Parsed, so the direct serialisation of the signing bytes applies.
    p.sig = internal::VerifyParsedEnvelope(**p.env, m.accord, m.hash);
    if (p.sig.ok()) p.digest = base::HexEncode(crypto::Sha256(bytes));
  });
  for (size_t pi = 0; pi < delivery.envelopes.size(); ++pi) {
    const ProvenEnvelope& pe = delivery.envelopes[pi];
    AcceptResult r;
    auto fail = [&](std::string error) {
      r.outcome = AcceptOutcome::kRejected;
      r.error = std::move(error);
      answer.results.push_back(std::move(r));
    };
    Result<Envelope>& env = *parsed[pi].env;
    if (!env.ok()) {
      fail(env.status().message());
      continue;
    }
    r.id = env->id;
    if (const Status& s = parsed[pi].sig; !s.ok()) {
      fail(s.message());
      continue;
    }
    if (env->from != sender) {
      fail("envelope " + env->id + ": from " + env->from + ", but delivered by " +
           std::string(sender));
      continue;
    }
    if (!std::binary_search(env->to.begin(), env->to.end(), m.party)) {
      fail("envelope " + env->id + ": not addressed to " + m.party);
      continue;
    }
    const std::string& digest = parsed[pi].digest;
    // Duplicate?
    ASSIGN_OR_RETURN(auto rows, m.conn->Query("SELECT digest, receipt_id, outgoing FROM "
                                              "accord_messages WHERE id = $1",
                                              {Value(env->id)}));
    if (rows->Next()) {
      std::string stored_digest(rows->Text(0));
      std::string receipt_id(rows->Text(1));
      bool outgoing = rows->Int64(2) != 0;
      rows.reset();
      if (outgoing || stored_digest != digest) {
        fail("envelope " + env->id + ": id already used by a different message");
        continue;
      }
      ASSIGN_OR_RETURN(auto rr, m.conn->Query("SELECT envelope, seq FROM accord_messages "
                                              "WHERE id = $1",
                                              {Value(receipt_id)}));
      if (!rr->Next()) {
        RETURN_IF_ERROR(rr->status());
        return base::DataLossError("message " + env->id + ": its receipt " + receipt_id +
                                   " is missing");
      }
      r.outcome = AcceptOutcome::kDuplicate;
      r.receipt = std::string(rr->Text(0));
      r.receipt_index = static_cast<uint64_t>(rr->Int64(1));
      answer.results.push_back(std::move(r));
      continue;
    }
    RETURN_IF_ERROR(rows->status());
    rows.reset();
    if (!batch_ids.insert(env->id).second) {
      fail("envelope " + env->id + ": twice in one delivery");
      continue;
    }
    if (pe.index != env->seq) {
      fail("envelope " + env->id + ": index " + std::to_string(pe.index) + " is not its seq " +
           std::to_string(env->seq));
      continue;
    }
    if (env->seq >= cp.size) {
      fail("envelope " + env->id + ": seq " + std::to_string(env->seq) +
           " is beyond the checkpoint size " + std::to_string(cp.size));
      continue;
    }
    Status inc = ledger::VerifyInclusion(
        env->seq, cp.size, ledger::HashLeaf(internal::ParsedEntryHeader(*env, digest)), pe.proof,
        cp.root);
    if (!inc.ok()) {
      fail("envelope " + env->id + ": not included in " + std::string(sender) +
           "'s checkpoint at size " + std::to_string(cp.size) + ": " + inc.message());
      continue;
    }
    // Another message at the same seq would mean the sender's log holds two entries there.
    ASSIGN_OR_RETURN(auto srows, m.conn->Query("SELECT id FROM accord_messages WHERE sender = $1 "
                                               "AND seq = $2",
                                               {Value(sender),
                                                Value(static_cast<int64_t>(env->seq))}));
    if (srows->Next()) {
      fail("envelope " + env->id + ": seq " + std::to_string(env->seq) +
           " already holds message " + std::string(srows->Text(0)));
      continue;
    }
    RETURN_IF_ERROR(srows->status());
    srows.reset();
    r.outcome = AcceptOutcome::kAccepted;
    accepted.push_back({answer.results.size(), std::move(*env), pe.envelope, digest,
                        internal::HexList(pe.proof)});
    answer.results.push_back(std::move(r));
  }

  auto run = [&]() -> Status {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*m.conn));
    RETURN_IF_ERROR(m.StoreHeld(sender, checked, delivery.checkpoint, delivery.consistency));
    if (!accepted.empty()) {
      RETURN_IF_ERROR(m.LockLog());
      uint64_t first = m.log->size();
      std::string at = m.now();
      std::vector<Envelope> receipts;
      receipts.reserve(accepted.size());
      for (size_t i = 0; i < accepted.size(); ++i) {
        const Pending& p = accepted[i];
        ReceiptBody rb;
        rb.envelope = p.env.id;
        rb.from = p.env.from;
        rb.seq = p.env.seq;
        rb.digest = p.digest;
        rb.checkpoint = delivery.checkpoint;
        Envelope re;
        re.accord = m.hash;
        re.from = m.party;
        re.to = {std::string(sender)};
        re.seq = first + i;
        re.id = base::Uuid::V4().ToString();
        re.kind = "receipt";
        re.created = at;
        re.refs = {p.env.id};
        re.tlp = p.env.tlp;
        re.body = rb.ToJson();
        receipts.push_back(std::move(re));
      }
      std::vector<Signed> sigs = SignAll(receipts, *m.key);
      std::vector<std::string_view> views;
      views.reserve(receipts.size());
      for (const Signed& sg : sigs) {
        RETURN_IF_ERROR(sg.status);
        views.push_back(sg.header);
      }
      ASSIGN_OR_RETURN(uint64_t idx, m.log->AppendInTransaction(views));
      if (idx != first) return base::InternalError("log appended at an unexpected index");
      for (size_t i = 0; i < accepted.size(); ++i) {
        const Pending& p = accepted[i];
        const Envelope& re = receipts[i];
        RETURN_IF_ERROR(m.InsertMessage(p.env, false, at, delivery.checkpoint, p.proof, re.id,
                                        p.bytes, p.digest));
        RETURN_IF_ERROR(
            m.InsertMessage(re, true, at, "", "[]", "", sigs[i].bytes, sigs[i].digest));
        AcceptResult& r = answer.results[p.result];
        r.receipt = std::move(sigs[i].bytes);
        r.receipt_index = re.seq;
      }
    }
    // The answer carries this log's checkpoint: the sender will hold it (optimistically; a
    // lost answer costs one "held size mismatch" round trip on the next delivery back).
    RETURN_IF_ERROR(m.conn
                        ->Exec("INSERT INTO accord_recipient_held (recipient, size) VALUES ($1, "
                               "$2) ON CONFLICT (recipient) DO UPDATE SET size = excluded.size",
                               {Value(sender), Value(static_cast<int64_t>(m.log->size()))})
                        .status());
    return tx.Commit();
  };
  Status s = run();
  if (!s.ok()) {
    if (m.conn->in_transaction()) m.conn->Rollback().IgnoreError();
    m.log->Reload().IgnoreError();
    for (const Pending& p : accepted) {
      answer.results[p.result].receipt.clear();
    }
    return s;
  }

  uint64_t size = m.log->size();
  answer.checkpoint = m.log->checkpoint();
  for (const AcceptResult& r : answer.results) {
    std::vector<ledger::Hash> proof;
    if (r.outcome != AcceptOutcome::kRejected && r.receipt_index < size) {
      ASSIGN_OR_RETURN(auto ip, m.log->ProveInclusion(r.receipt_index, size));
      proof = std::move(ip.proof);
    }
    answer.receipt_proofs.push_back(std::move(proof));
  }
  if (sender_held_size > 0 && sender_held_size < size) {
    ASSIGN_OR_RETURN(auto cons, m.log->ProveConsistency(sender_held_size, size));
    answer.consistency = std::move(cons.proof);
  }
  answer.held_size = checked.newer ? cp.size : held_size;
  return answer;
}

// ---------------------------------------------------------------------------------------------
// Sending

Result<Delivery> Exchange::NextDelivery(std::string_view recipient, size_t max) {
  Impl& m = *impl_;
  if (m.accord.FindParty(recipient) == nullptr || recipient == m.party) {
    return base::InvalidArgumentError("\"" + std::string(recipient).substr(0, 64) +
                                      "\" is not a partner");
  }
  RETURN_IF_ERROR(m.SyncLog());
  ASSIGN_OR_RETURN(uint64_t held, m.RecipientHeld(recipient));
  std::vector<std::pair<std::string, uint64_t>> envs;
  if (max > 0) {
    ASSIGN_OR_RETURN(auto rows,
                     m.conn->Query("SELECT m.envelope, m.seq FROM accord_deliveries d JOIN "
                                   "accord_messages m ON m.id = d.message_id WHERE "
                                   "d.recipient = $1 AND d.state = 'pending' AND "
                                   "d.next_attempt_us <= $2 ORDER BY d.seq LIMIT $3",
                                   {Value(recipient), Value(m.now_us()),
                                    Value(static_cast<int64_t>(std::min<size_t>(max, 1 << 20)))}));
    while (rows->Next()) {
      envs.emplace_back(std::string(rows->Text(0)), static_cast<uint64_t>(rows->Int64(1)));
    }
    RETURN_IF_ERROR(rows->status());
  }
  return m.BuildDelivery(recipient, held, envs);
}

Result<Delivery> Exchange::DeliveryFor(std::string_view recipient, uint64_t after_seq,
                                       uint64_t held_size, size_t max) {
  Impl& m = *impl_;
  if (m.accord.FindParty(recipient) == nullptr || recipient == m.party) {
    return base::PermissionDeniedError("\"" + std::string(recipient).substr(0, 64) +
                                       "\" is not a partner");
  }
  RETURN_IF_ERROR(m.SyncLog());
  if (held_size > m.log->size()) {
    return base::InvalidArgumentError("held size " + std::to_string(held_size) +
                                      " exceeds this log's size " +
                                      std::to_string(m.log->size()));
  }
  std::vector<std::pair<std::string, uint64_t>> envs;
  if (max > 0) {
    ASSIGN_OR_RETURN(auto rows,
                     m.conn->Query("SELECT m.envelope, m.seq FROM accord_deliveries d JOIN "
                                   "accord_messages m ON m.id = d.message_id WHERE "
                                   "d.recipient = $1 AND d.seq > $2 ORDER BY d.seq LIMIT $3",
                                   {Value(recipient),
                                    Value(static_cast<int64_t>(
                                        std::min<uint64_t>(after_seq, uint64_t{1} << 62))),
                                    Value(static_cast<int64_t>(std::min<size_t>(max, 1 << 20)))}));
    while (rows->Next()) {
      envs.emplace_back(std::string(rows->Text(0)), static_cast<uint64_t>(rows->Int64(1)));
    }
    RETURN_IF_ERROR(rows->status());
  }
  return m.BuildDelivery(recipient, held_size, envs);
}

Status Exchange::RecordAnswer(std::string_view recipient, const Delivery& sent,
                              const DeliveryAnswer& answer) {
  Impl& m = *impl_;
  if (m.accord.FindParty(recipient) == nullptr || recipient == m.party) {
    return base::InvalidArgumentError("\"" + std::string(recipient).substr(0, 64) +
                                      "\" is not a partner");
  }
  // What was sent: id -> (seq, digest).
  struct Sent {
    uint64_t seq;
    std::string digest;
  };
  std::map<std::string, Sent> sent_by_id;
  for (const ProvenEnvelope& pe : sent.envelopes) {
    // Our own envelopes (built by NextDelivery/DeliveryFor): only id and seq are needed.
    ASSIGN_OR_RETURN(auto id_seq, IdAndSeq(pe.envelope));
    sent_by_id[id_seq.first] = {id_seq.second, base::HexEncode(crypto::Sha256(pe.envelope))};
  }
  if (answer.results.size() != answer.receipt_proofs.size() &&
      !answer.receipt_proofs.empty()) {
    return base::InvalidArgumentError("answer: receipt_proofs is not parallel to results");
  }
  // Only signed evidence raises an alert: bytes that do not verify may have been damaged in
  // transit, so a checkpoint or receipt whose signature fails, or an (unsigned) proof that
  // does not hold, only fails this attempt (the deliveries stay pending and are retried). A
  // checkpoint not proven consistent with the held one may be a race with witnessing (no
  // alert either); a provable fork is an equivocation alert (stored by CheckAgainstHeld); a
  // validly signed receipt that does not match what was sent is a bad-receipt alert.
  if (auto opened = ledger::OpenCheckpoint(answer.checkpoint,
                                           m.log_verifiers.at(std::string(recipient)));
      !opened.ok()) {
    std::string what = "checkpoint of " + std::string(recipient) + " in its answer: " +
                       opened.status().message();
    return base::FailedPreconditionError(what);
  }
  auto checked = m.CheckAgainstHeld(recipient, answer.checkpoint, answer.consistency, true);
  if (!checked.ok()) return checked.status();
  const ledger::Checkpoint& cp = checked->cp.checkpoint;

  struct Ok {
    std::string id;
    Envelope receipt;
    std::string bytes;
    std::string proof;
  };
  std::vector<Ok> oks;
  std::vector<std::pair<std::string, std::string>> rejected;  // id, error
  // `evidence`: the receipt bytes when their signature verified (so the fault is provably
  // the recipient's); empty otherwise.
  auto bad = [&](const std::string& what, const std::string& evidence = "") -> Status {
    if (!evidence.empty()) m.AddAlert("bad-receipt", recipient, what, evidence).IgnoreError();
    return base::FailedPreconditionError(what);
  };
  // Parse, verify and hash the receipts first, in parallel; the checks follow in order below.
  struct Parsed {
    std::optional<Result<Envelope>> env;
    Status sig;
    std::string digest;
  };
  std::vector<Parsed> parsed(answer.results.size());
  ParallelFor(parsed.size(), [&](size_t i) {
    const AcceptResult& r = answer.results[i];
    if (r.outcome == AcceptOutcome::kRejected || sent_by_id.count(r.id) == 0) return;
    Parsed& p = parsed[i];
    p.env.emplace(Envelope::Parse(r.receipt));
    if (!p.env->ok()) return;
    // Parsed, so the direct serialisation of the signing bytes applies.
    p.sig = internal::VerifyParsedEnvelope(**p.env, m.accord, m.hash);
    if (p.sig.ok()) p.digest = base::HexEncode(crypto::Sha256(r.receipt));
  });
  for (size_t i = 0; i < answer.results.size(); ++i) {
    const AcceptResult& r = answer.results[i];
    auto it = sent_by_id.find(r.id);
    if (it == sent_by_id.end()) continue;  // not ours to record (or unparsable)
    if (r.outcome == AcceptOutcome::kRejected) {
      rejected.emplace_back(r.id, r.error.substr(0, 1024));
      continue;
    }
    std::string where = "receipt from " + std::string(recipient) + " for " + r.id;
    Result<Envelope>& re = *parsed[i].env;
    if (!re.ok()) return bad(where + ": " + re.status().message());
    if (const Status& s = parsed[i].sig; !s.ok()) return bad(where + ": " + s.message());
    if (re->from != recipient || re->kind != "receipt" || re->to.size() != 1 ||
        re->to[0] != m.party || re->refs.size() != 1 || re->refs[0] != r.id) {
      return bad(where + ": not a receipt from " + std::string(recipient) + " to " + m.party +
                     " referring to the message",
                 r.receipt);
    }
    auto body = ReceiptBody::Parse(re->body);
    if (!body.ok()) return bad(where + ": " + body.status().message());
    if (body->envelope != r.id || body->from != m.party || body->seq != it->second.seq ||
        body->digest != it->second.digest) {
      return bad(where + ": the receipt body does not match the message sent", r.receipt);
    }
    if (r.receipt_index != re->seq) return bad(where + ": receipt index is not its seq");
    std::span<const ledger::Hash> proof;
    if (!answer.receipt_proofs.empty()) proof = answer.receipt_proofs[i];
    if (re->seq >= cp.size) return bad(where + ": beyond the recipient's checkpoint");
    Status inc = ledger::VerifyInclusion(
        re->seq, cp.size, ledger::HashLeaf(internal::ParsedEntryHeader(*re, parsed[i].digest)),
        proof, cp.root);
    if (!inc.ok()) return bad(where + ": not included in the recipient's checkpoint: " +
                              inc.message());
    oks.push_back({r.id, std::move(*re), r.receipt, internal::HexList(proof)});
  }

  auto run = [&]() -> Status {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*m.conn));
    RETURN_IF_ERROR(m.StoreHeld(recipient, *checked, answer.checkpoint, answer.consistency));
    std::string at = m.now();
    for (const Ok& o : oks) {
      RETURN_IF_ERROR(m.conn
                          ->Exec("INSERT INTO accord_receipts (envelope_id, recipient, receipt_id, "
                                 "receipt, receipt_index, checkpoint, proof, received_at) VALUES "
                                 "($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (envelope_id, "
                                 "recipient) DO NOTHING",
                                 {Value(o.id), Value(recipient), Value(o.receipt.id),
                                  Value(o.bytes), Value(static_cast<int64_t>(o.receipt.seq)),
                                  Value(answer.checkpoint), Value(o.proof), Value(at)})
                          .status());
      RETURN_IF_ERROR(m.conn
                          ->Exec("UPDATE accord_deliveries SET state = 'delivered', "
                                 "receipt_id = $1, last_error = '' WHERE message_id = $2 AND "
                                 "recipient = $3",
                                 {Value(o.receipt.id), Value(o.id), Value(recipient)})
                          .status());
    }
    int64_t now_us = m.now_us();
    for (const auto& [id, error] : rejected) {
      RETURN_IF_ERROR(
          m.ScheduleRetry(id, recipient, "rejected by " + std::string(recipient) + ": " + error,
                          now_us));
    }
    RETURN_IF_ERROR(m.conn
                        ->Exec("INSERT INTO accord_recipient_held (recipient, size) VALUES ($1, "
                               "$2) ON CONFLICT (recipient) DO UPDATE SET size = excluded.size",
                               {Value(recipient), Value(static_cast<int64_t>(answer.held_size))})
                        .status());
    return tx.Commit();
  };
  return run();
}

Status Exchange::RecordFailure(std::string_view recipient, const Delivery& sent,
                               std::string_view error) {
  Impl& m = *impl_;
  ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*m.conn));
  int64_t now_us = m.now_us();
  for (const ProvenEnvelope& pe : sent.envelopes) {
    auto e = IdAndSeq(pe.envelope);
    if (!e.ok()) continue;
    RETURN_IF_ERROR(m.ScheduleRetry(e->first, recipient, std::string(error), now_us));
  }
  return tx.Commit();
}

Status Exchange::SetRecipientHeld(std::string_view recipient, uint64_t size) {
  Impl& m = *impl_;
  if (m.accord.FindParty(recipient) == nullptr || recipient == m.party) {
    return base::InvalidArgumentError("\"" + std::string(recipient).substr(0, 64) +
                                      "\" is not a partner");
  }
  return m.conn
      ->Exec("INSERT INTO accord_recipient_held (recipient, size) VALUES ($1, $2) "
             "ON CONFLICT (recipient) DO UPDATE SET size = excluded.size",
             {Value(recipient), Value(static_cast<int64_t>(size))})
      .status();
}

Result<uint64_t> Exchange::HeldSize(std::string_view party) {
  return QueryUint(*impl_->conn, "SELECT size FROM accord_peer_logs WHERE party = $1",
                   {Value(party)});
}

Result<uint64_t> Exchange::LastAcceptedSeq(std::string_view sender) {
  return QueryUint(*impl_->conn,
                   "SELECT MAX(seq) FROM accord_messages WHERE sender = $1 AND outgoing = 0",
                   {Value(sender)});
}

// ---------------------------------------------------------------------------------------------
// Witnessing

Result<std::string> Exchange::Witness(std::string_view party, std::string_view note,
                                      std::span<const ledger::Hash> proof) {
  Impl& m = *impl_;
  if (m.accord.FindParty(party) == nullptr || party == m.party) {
    return base::InvalidArgumentError("\"" + std::string(party).substr(0, 64) +
                                      "\" is not a partner");
  }
  if (note.size() > ledger::kMaxNoteBytes) return base::InvalidArgumentError("note too large");
  ASSIGN_OR_RETURN(auto checked, m.CheckAgainstHeld(party, note, proof, true));
  if (checked.newer) {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*m.conn));
    RETURN_IF_ERROR(m.StoreHeld(party, checked, note, proof));
    RETURN_IF_ERROR(tx.Commit());
  }
  auto ts = static_cast<uint64_t>(std::max<int64_t>(0, m.clock->Now().unix_seconds()));
  return ledger::AddCosignature(note, *m.cosigner, ts);
}

Status Exchange::AddCosignature(std::string_view witness, std::string_view cosigned_note) {
  Impl& m = *impl_;
  auto wit = m.witness_verifiers.find(std::string(witness));
  if (wit == m.witness_verifiers.end() || witness == m.party) {
    return base::FailedPreconditionError("\"" + std::string(witness).substr(0, 64) +
                                         "\" is not a witness partner");
  }
  std::vector<ledger::NoteVerifier> ws = {wit->second};
  auto cp = ledger::OpenCheckpoint(cosigned_note, m.log->verifier(), ws, 1);
  if (!cp.ok()) {
    return base::FailedPreconditionError("cosignature by " + std::string(witness) + ": " +
                                         cp.status().message());
  }
  RETURN_IF_ERROR(m.SyncLog());
  if (cp->checkpoint.size > m.log->size()) {
    return base::FailedPreconditionError("cosigned checkpoint at size " +
                                         std::to_string(cp->checkpoint.size) +
                                         " is beyond this log");
  }
  ASSIGN_OR_RETURN(ledger::Hash root, m.log->RootAt(cp->checkpoint.size));
  if (root != cp->checkpoint.root) {
    return base::FailedPreconditionError("cosigned checkpoint is not this log's");
  }
  return m.conn
      ->Exec("INSERT INTO accord_cosignatures (witness, size, note, received_at) VALUES ($1, $2, "
             "$3, $4) ON CONFLICT (witness, size) DO UPDATE SET note = excluded.note, "
             "received_at = excluded.received_at",
             {Value(witness), Value(static_cast<int64_t>(cp->checkpoint.size)),
              Value(cosigned_note), Value(m.now())})
      .status();
}

Result<bool> Exchange::CheckCheckpoints(std::string_view party, std::string_view note_a,
                                        std::string_view note_b,
                                        std::span<const ledger::Hash> proof) {
  Impl& m = *impl_;
  auto v = m.log_verifiers.find(std::string(party));
  if (v == m.log_verifiers.end()) {
    return base::InvalidArgumentError("\"" + std::string(party).substr(0, 64) +
                                      "\" is not a party");
  }
  ASSIGN_OR_RETURN(auto evidence, ledger::DetectEquivocation(note_a, note_b, v->second, proof));
  if (!evidence.has_value()) return true;
  RETURN_IF_ERROR(m.AddAlert("equivocation", party,
                             "two inconsistent checkpoints of " + std::string(party),
                             evidence->ToJson()));
  return false;
}

// ---------------------------------------------------------------------------------------------
// Reading

Result<std::vector<PeerLogState>> Exchange::PeerLogs() {
  std::vector<PeerLogState> out;
  ASSIGN_OR_RETURN(auto rows, impl_->conn->Query("SELECT party, size, note, received_at FROM "
                                                 "accord_peer_logs ORDER BY party"));
  std::map<std::string, PeerLogState> held;
  while (rows->Next()) {
    PeerLogState s;
    s.party = std::string(rows->Text(0));
    s.size = static_cast<uint64_t>(rows->Int64(1));
    s.checkpoint = std::string(rows->Text(2));
    s.received_at = std::string(rows->Text(3));
    held[s.party] = s;
  }
  RETURN_IF_ERROR(rows->status());
  for (const Party& p : impl_->accord.parties) {
    if (p.name == impl_->party) continue;
    auto it = held.find(p.name);
    if (it != held.end()) {
      out.push_back(it->second);
    } else {
      PeerLogState s;
      s.party = p.name;
      out.push_back(s);
    }
  }
  return out;
}

Result<std::vector<DeliveryState>> Exchange::Undelivered() {
  std::vector<DeliveryState> out;
  ASSIGN_OR_RETURN(auto rows,
                   impl_->conn->Query("SELECT message_id, recipient, state, attempts, "
                                      "next_attempt_us, last_error, receipt_id FROM "
                                      "accord_deliveries WHERE state <> 'delivered' ORDER BY "
                                      "seq, recipient"));
  while (rows->Next()) {
    DeliveryState d;
    d.id = std::string(rows->Text(0));
    d.recipient = std::string(rows->Text(1));
    std::string_view st = rows->Text(2);
    d.state = st == "failed" ? DeliveryState::State::kFailed : DeliveryState::State::kPending;
    d.attempts = static_cast<int>(rows->Int64(3));
    d.next_attempt = MicrosToRfc3339(rows->Int64(4));
    d.last_error = std::string(rows->Text(5));
    d.receipt_id = std::string(rows->Text(6));
    out.push_back(std::move(d));
  }
  RETURN_IF_ERROR(rows->status());
  return out;
}

Result<std::vector<Alert>> Exchange::Alerts() {
  std::vector<Alert> out;
  ASSIGN_OR_RETURN(auto rows, impl_->conn->Query("SELECT id, kind, party, detail, evidence, "
                                                 "created FROM accord_alerts ORDER BY id"));
  while (rows->Next()) {
    Alert a;
    a.id = rows->Int64(0);
    a.kind = std::string(rows->Text(1));
    a.party = std::string(rows->Text(2));
    a.detail = std::string(rows->Text(3));
    a.evidence = std::string(rows->Text(4));
    a.created = std::string(rows->Text(5));
    out.push_back(std::move(a));
  }
  RETURN_IF_ERROR(rows->status());
  return out;
}

namespace {
constexpr std::string_view kMessageColumns =
    "id, sender, recipients, seq, kind, created, refs, tlp, body, envelope, outgoing, "
    "received_at";
Message ReadMessage(store::Rows& r) {
  Message msg;
  msg.id = std::string(r.Text(0));
  msg.from = std::string(r.Text(1));
  msg.to = internal::ParseStringList(r.Text(2));
  msg.seq = static_cast<uint64_t>(r.Int64(3));
  msg.kind = std::string(r.Text(4));
  msg.created = std::string(r.Text(5));
  msg.refs = internal::ParseStringList(r.Text(6));
  msg.tlp = std::string(r.Text(7));
  msg.body = std::string(r.Text(8));
  msg.envelope = std::string(r.Text(9));
  msg.outgoing = r.Int64(10) != 0;
  msg.received_at = std::string(r.Text(11));
  return msg;
}
}  // namespace

Result<std::vector<Message>> Exchange::Messages(size_t limit, uint64_t offset) {
  std::vector<Message> out;
  ASSIGN_OR_RETURN(auto rows,
                   impl_->conn->Query("SELECT " + std::string(kMessageColumns) +
                                          " FROM accord_messages ORDER BY received_at, sender, "
                                          "seq LIMIT $1 OFFSET $2",
                                      {Value(static_cast<int64_t>(std::min<size_t>(limit, 1 << 30))),
                                       Value(static_cast<int64_t>(
                                           std::min<uint64_t>(offset, uint64_t{1} << 62)))}));
  while (rows->Next()) out.push_back(ReadMessage(*rows));
  RETURN_IF_ERROR(rows->status());
  return out;
}

Result<std::optional<Message>> Exchange::FindMessage(std::string_view id) {
  ASSIGN_OR_RETURN(auto rows, impl_->conn->Query("SELECT " + std::string(kMessageColumns) +
                                                     " FROM accord_messages WHERE id = $1",
                                                 {Value(id)}));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return std::optional<Message>();
  }
  return std::optional<Message>(ReadMessage(*rows));
}

Result<std::optional<Exchange::MessageProof>> Exchange::ProveMessage(std::string_view id) {
  Impl& m = *impl_;
  ASSIGN_OR_RETURN(auto rows, m.conn->Query("SELECT seq, outgoing, checkpoint, proof FROM "
                                            "accord_messages WHERE id = $1",
                                            {Value(id)}));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return std::optional<MessageProof>();
  }
  MessageProof p;
  p.index = static_cast<uint64_t>(rows->Int64(0));
  const bool outgoing = rows->Int64(1) != 0;
  std::string checkpoint(rows->Text(2));
  std::string proof(rows->Text(3));
  rows.reset();
  if (outgoing) {
    RETURN_IF_ERROR(m.SyncLog());
    p.checkpoint = m.log->checkpoint();
    ASSIGN_OR_RETURN(auto ip, m.log->ProveInclusion(p.index, m.log->size()));
    p.inclusion = std::move(ip.proof);
  } else {
    p.checkpoint = std::move(checkpoint);
    ASSIGN_OR_RETURN(p.inclusion, internal::ParseHexList(proof));
  }
  return std::optional<MessageProof>(std::move(p));
}

Status Exchange::RetryFailed() {
  return impl_->conn
      ->Exec("UPDATE accord_deliveries SET state = 'pending', next_attempt_us = $1 WHERE "
             "state = 'failed'",
             {Value(impl_->now_us())})
      .status();
}

// ---------------------------------------------------------------------------------------------
// Verify

Result<VerifyReport> Exchange::Verify() {
  Impl& m = *impl_;
  VerifyReport report;
  auto find = [&](std::string what, std::string where) {
    report.findings.push_back({std::move(what), std::move(where)});
  };
  // The accord as stored (not as opened).
  {
    ASSIGN_OR_RETURN(auto text, GetMeta(*m.conn, "accord"));
    if (!text.has_value()) {
      find("no accord stored", "accord_meta");
    } else {
      auto a = Accord::Parse(*text);
      if (!a.ok()) {
        find("accord does not parse: " + a.status().message(), "accord_meta key=accord");
      } else {
        if (Status s = a->Verify(true); !s.ok()) {
          find("accord: " + s.message(), "accord_meta key=accord");
        }
        if (a->Hash() != m.hash) {
          find("stored accord hash " + a->Hash() + " differs from the opened one " + m.hash,
               "accord_meta key=accord");
        }
      }
    }
  }
  // The party log.
  auto lr = ledger::Log::VerifyIn(*m.conn);
  if (!lr.ok()) {
    find("party log: " + lr.status().message(), "ledger");
  } else {
    report.log_entries = lr->entries;
    report.checkpoints += lr->checkpoints;
  }
  if (Status s = m.log->Reload(); !s.ok()) find("party log: " + s.message(), "ledger");
  // Genesis.
  if (m.log->size() > 0) {
    auto g = m.log->ReadEntry(0);
    if (!g.ok() || *g != GenesisEntry(m.hash, m.party)) {
      find("entry 0 is not the genesis entry of this accord and party", "ledger entry 0");
    }
  }

  // Messages.
  {
    ASSIGN_OR_RETURN(auto rows,
                     m.conn->Query("SELECT id, sender, seq, kind, body, envelope, digest, "
                                   "outgoing, checkpoint, proof, recipients, refs, tlp, created "
                                   "FROM accord_messages ORDER BY outgoing, sender, seq"));
    while (rows->Next()) {
      ++report.messages;
      std::string id(rows->Text(0));
      std::string sender(rows->Text(1));
      auto seq = static_cast<uint64_t>(rows->Int64(2));
      std::string bytes(rows->Text(5));
      bool outgoing = rows->Int64(7) != 0;
      std::string where = "accord_messages row id=" + id;
      auto e = Envelope::Parse(bytes);
      if (!e.ok()) {
        find("message " + id + ": stored envelope does not parse: " + e.status().message(),
             where);
        continue;
      }
      if (Status s = internal::VerifyParsedEnvelope(*e, m.accord, m.hash); !s.ok()) {
        find("message " + id + ": " + s.message(), where);
        continue;
      }
      if (e->id != id || e->from != sender || e->seq != seq || e->kind != rows->Text(3) ||
          e->body != rows->Text(4) || e->tlp != rows->Text(12) || e->created != rows->Text(13) ||
          JsonStrings(e->to) != rows->Text(10) || JsonStrings(e->refs) != rows->Text(11)) {
        find("message " + id + ": stored columns differ from the signed envelope", where);
      }
      if (base::HexEncode(crypto::Sha256(bytes)) != rows->Text(6)) {
        find("message " + id + ": stored digest differs from the envelope's", where);
      }
      if (outgoing) {
        if (e->from != m.party) {
          find("message " + id + ": outgoing but from " + e->from, where);
          continue;
        }
        auto entry = seq < m.log->size() ? m.log->ReadEntry(seq)
                                         : Result<std::string>(base::OutOfRangeError("beyond"));
        if (!entry.ok() || *entry != EntryHeader(*e)) {
          find("message " + id + ": the log entry at seq " + std::to_string(seq) +
                   " is not its entry header",
               where + " / ledger entry " + std::to_string(seq));
        }
      } else {
        auto v = m.log_verifiers.find(e->from);
        if (v == m.log_verifiers.end()) continue;
        auto cp = ledger::OpenCheckpoint(rows->Text(8), v->second);
        if (!cp.ok()) {
          find("message " + id + ": stored checkpoint of " + e->from + ": " +
                   cp.status().message(),
               where);
          continue;
        }
        auto proof = internal::ParseHexList(rows->Text(9));
        Status inc = proof.ok() && seq < cp->checkpoint.size
                         ? ledger::VerifyInclusion(seq, cp->checkpoint.size,
                                                   ledger::HashLeaf(EntryHeader(*e)), *proof,
                                                   cp->checkpoint.root)
                         : base::InvalidArgumentError(proof.ok() ? "seq beyond the checkpoint"
                                                                 : proof.status().message());
        if (!inc.ok()) {
          find("message " + id + ": inclusion in " + e->from + "'s checkpoint: " + inc.message(),
               where);
        }
      }
    }
    RETURN_IF_ERROR(rows->status());
  }
  // Receipts held for our messages.
  {
    ASSIGN_OR_RETURN(auto rows,
                     m.conn->Query("SELECT r.envelope_id, r.recipient, r.receipt, r.receipt_index, "
                                   "r.checkpoint, r.proof, m.digest, m.seq FROM accord_receipts "
                                   "r LEFT JOIN accord_messages m ON m.id = r.envelope_id "
                                   "ORDER BY r.envelope_id, r.recipient"));
    while (rows->Next()) {
      ++report.receipts;
      std::string id(rows->Text(0));
      std::string recipient(rows->Text(1));
      std::string where = "accord_receipts row envelope=" + id + " recipient=" + recipient;
      auto re = Envelope::Parse(rows->Text(2));
      if (!re.ok()) {
        find("receipt for " + id + ": does not parse: " + re.status().message(), where);
        continue;
      }
      if (Status s = internal::VerifyParsedEnvelope(*re, m.accord, m.hash); !s.ok()) {
        find("receipt for " + id + ": " + s.message(), where);
        continue;
      }
      auto body = ReceiptBody::Parse(re->body);
      if (re->from != recipient || re->kind != "receipt" || !body.ok() ||
          body->envelope != id || body->digest != rows->Text(6) ||
          body->seq != static_cast<uint64_t>(rows->Int64(7))) {
        find("receipt for " + id + ": does not acknowledge the stored message", where);
        continue;
      }
      auto v = m.log_verifiers.find(recipient);
      if (v == m.log_verifiers.end()) continue;
      auto cp = ledger::OpenCheckpoint(rows->Text(4), v->second);
      if (!cp.ok()) {
        find("receipt for " + id + ": checkpoint of " + recipient + ": " + cp.status().message(),
             where);
        continue;
      }
      auto proof = internal::ParseHexList(rows->Text(5));
      Status inc = proof.ok() && re->seq < cp->checkpoint.size &&
                           static_cast<uint64_t>(rows->Int64(3)) == re->seq
                       ? ledger::VerifyInclusion(re->seq, cp->checkpoint.size,
                                                 ledger::HashLeaf(EntryHeader(*re)), *proof,
                                                 cp->checkpoint.root)
                       : base::InvalidArgumentError("bad index or proof");
      if (!inc.ok()) {
        find("receipt for " + id + ": inclusion in " + recipient + "'s checkpoint: " +
                 inc.message(),
             where);
      }
    }
    RETURN_IF_ERROR(rows->status());
  }
  // Held checkpoints: signatures and the consistency of each with the one before.
  {
    ASSIGN_OR_RETURN(auto rows, m.conn->Query("SELECT party, size, note, prev_size, consistency "
                                              "FROM accord_peer_checkpoints ORDER BY party, size"));
    std::string prev_party;
    std::map<uint64_t, ledger::Hash> roots;
    while (rows->Next()) {
      ++report.checkpoints;
      std::string party(rows->Text(0));
      auto size = static_cast<uint64_t>(rows->Int64(1));
      auto prev = static_cast<uint64_t>(rows->Int64(3));
      std::string where = "accord_peer_checkpoints row party=" + party + " size=" +
                          std::to_string(size);
      if (party != prev_party) roots.clear();
      prev_party = party;
      auto v = m.log_verifiers.find(party);
      if (v == m.log_verifiers.end()) {
        find("checkpoint of unknown party " + party, where);
        continue;
      }
      auto cp = ledger::OpenCheckpoint(rows->Text(2), v->second);
      if (!cp.ok()) {
        find("checkpoint of " + party + ": " + cp.status().message(), where);
        continue;
      }
      if (cp->checkpoint.size != size) {
        find("checkpoint of " + party + ": the note says size " +
                 std::to_string(cp->checkpoint.size),
             where);
        continue;
      }
      roots[size] = cp->checkpoint.root;
      if (prev > 0 && prev < size) {
        auto it = roots.find(prev);
        auto proof = internal::ParseHexList(rows->Text(4));
        if (it == roots.end() || !proof.ok() ||
            !ledger::VerifyConsistency(prev, size, *proof, it->second, cp->checkpoint.root).ok()) {
          find("checkpoint of " + party + " at size " + std::to_string(size) +
                   " is not proven consistent with the one at size " + std::to_string(prev),
               where);
        }
      }
    }
    RETURN_IF_ERROR(rows->status());
  }
  {
    ASSIGN_OR_RETURN(auto rows, m.conn->Query("SELECT party, size, note FROM accord_peer_logs "
                                              "ORDER BY party"));
    while (rows->Next()) {
      std::string party(rows->Text(0));
      std::string where = "accord_peer_logs row party=" + party;
      auto v = m.log_verifiers.find(party);
      if (v == m.log_verifiers.end()) {
        find("held log of unknown party " + party, where);
        continue;
      }
      auto cp = ledger::OpenCheckpoint(rows->Text(2), v->second);
      if (!cp.ok() || cp->checkpoint.size != static_cast<uint64_t>(rows->Int64(1))) {
        find("held checkpoint of " + party + " does not verify" +
                 (cp.ok() ? std::string(" (size differs)") : ": " + cp.status().message()),
             where);
      }
    }
    RETURN_IF_ERROR(rows->status());
  }
  // Cosignatures of our checkpoints.
  {
    ASSIGN_OR_RETURN(auto rows, m.conn->Query("SELECT witness, size, note FROM "
                                              "accord_cosignatures ORDER BY witness, size"));
    while (rows->Next()) {
      ++report.cosignatures;
      std::string witness(rows->Text(0));
      std::string where = "accord_cosignatures row witness=" + witness + " size=" +
                          std::string(std::to_string(rows->Int64(1)));
      auto w = m.witness_verifiers.find(witness);
      if (w == m.witness_verifiers.end()) {
        find("cosignature by unknown party " + witness, where);
        continue;
      }
      std::vector<ledger::NoteVerifier> ws = {w->second};
      auto cp = ledger::OpenCheckpoint(rows->Text(2), m.log->verifier(), ws, 1);
      if (!cp.ok()) {
        find("cosignature by " + witness + ": " + cp.status().message(), where);
        continue;
      }
      auto root = m.log->RootAt(cp->checkpoint.size);
      if (!root.ok() || *root != cp->checkpoint.root) {
        find("cosigned checkpoint by " + witness + " is not this log's", where);
      }
    }
    RETURN_IF_ERROR(rows->status());
  }
  return report;
}

}  // namespace detente::accord
