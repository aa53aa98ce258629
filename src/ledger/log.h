// ledger/log.h: the persistent verifiable log: durable batched appends, signed checkpoints,
// proofs and tiles, stored through the store module (SQLite). Schema and layout:
// docs/formats/ledger.md ("Storage").
//
// A log directory holds log.db (SQLite, WAL, synchronous=FULL), log.key (the Ed25519 checkpoint
// key, PKCS#8 PEM, mode 0600), origin (the origin line) and log.vkey (the verifier key text).
// Entries and hashes are stored in tile-sized rows: one row per entry bundle of 256 entries
// and one row per hash tile (256 hashes of one tree level plus the 254 hashes inside the
// tile), so a batch of 100k appends writes about 800 rows; the rightmost partial bundle and
// tiles are rewritten by each batch. Each batch is one transaction that also stores the
// checkpoint signed for the new size, so after a crash the log reopens at the last committed
// batch, whose checkpoint matches its tiles.
//
// A log may also live in a caller's database connection (CreateIn/OpenIn, SQLite or
// PostgreSQL) next to other tables; the caller then appends inside its own transactions
// (AppendInTransaction), and several Logs (processes) may append to one such log.
//
// Thread-safety: a Log is NOT thread-safe (it owns or uses one database connection); open one
// Log per thread for concurrent readers. Appends from two processes are serialised by SQLite's write
// lock, and each Append re-reads nothing: only one process may append to a log at a time
// (Append fails with kFailedPrecondition if the stored size moved under it).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/crypto.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/proof.h"
#include "ledger/tiles.h"
#include "store/store.h"

namespace detente::ledger {

inline constexpr std::string_view kLogDbFile = "log.db";
inline constexpr std::string_view kLogKeyFile = "log.key";
inline constexpr std::string_view kLogOriginFile = "origin";
inline constexpr std::string_view kLogVkeyFile = "log.vkey";

// The ledger's schema migrations (store::Migrate).
std::span<const store::Migration> Migrations();

struct LogOptions {
  // kFull: every batch's commit is fsynced before Append returns (what makes an acknowledged
  // entry durable). kNormal is for benchmarks that measure without fsync only.
  store::Synchronous synchronous = store::Synchronous::kFull;
  // Full tiles above level 0 kept in memory for proofs (each about 16 KiB). Level-0 tiles
  // are read from the database per proof and not cached: there are too many to help.
  size_t tile_cache_tiles = 2048;
  // Read-only: no appends, no key needed. The Log serves the snapshot it opened (it holds one
  // SQLite read transaction until destroyed, which also keeps the WAL from being
  // checkpointed past that snapshot meanwhile: do not keep read-only Logs open for hours).
  bool read_only = false;
};

struct InclusionProof {
  uint64_t index = 0;
  uint64_t size = 0;
  Hash leaf_hash{};
  Hash root{};
  std::vector<Hash> proof;
};

struct ConsistencyProof {
  uint64_t size1 = 0;
  uint64_t size2 = 0;
  Hash root1{};
  Hash root2{};
  std::vector<Hash> proof;
};

struct VerifyReport {
  uint64_t entries = 0;
  uint64_t hash_tiles = 0;
  uint64_t checkpoints = 0;
};

class Log {
 public:
  // Creates a log in `dir` (created if missing; must not already hold a log). A new key is
  // generated unless `key` is given. Errors: kAlreadyExists (a log is there), kInvalidArgument
  // (origin not a valid key name: non-empty, no spaces or '+'), store errors.
  static Result<std::unique_ptr<Log>> Create(const std::string& dir, std::string_view origin,
                                             std::optional<crypto::SigningKey> key,
                                             const LogOptions& options = {});
  // Creates a log in the caller's database connection `conn` (e.g. a node database that also
  // holds other modules' tables, so that an effect and its log entry commit together).
  // Applies Migrations() when no transaction is open on `conn` (inside the caller's
  // transaction the caller must have applied them), inserts the origin, the verifier key and
  // the signed size-0 checkpoint (inside the caller's transaction if one is open, else in its
  // own), and returns the log opened on `conn` as OpenIn does. The Log does not own `conn`.
  // REQUIRES: `conn` outlives the Log.
  // Errors: kAlreadyExists (the database already holds a log), kInvalidArgument (origin not
  // a valid key name), store errors.
  static Result<std::unique_ptr<Log>> CreateIn(store::Connection& conn, std::string_view origin,
                                               const crypto::SigningKey& key,
                                               const LogOptions& options = {});
  // Opens the log stored in `conn` (created by CreateIn). `key` is the checkpoint key
  // (needed to append; must match the stored verifier key). Applies Migrations() when no
  // transaction is open and !options.read_only. options.read_only here only forbids appends
  // (the caller's connection is used as is; no snapshot transaction is opened) and
  // options.synchronous is ignored (the connection's setting applies). The Log does not own
  // `conn`. REQUIRES: `conn` outlives the Log.
  // Errors: kNotFound (no log in the database), kDataLoss (stored state does not match the
  // checkpoint, or `key` is not the log's key), store errors.
  static Result<std::unique_ptr<Log>> OpenIn(store::Connection& conn,
                                             std::optional<crypto::SigningKey> key,
                                             const LogOptions& options = {});

  // Opens an existing log and recovers its state from the latest stored checkpoint.
  // Errors: kNotFound (no log in dir), kDataLoss (the stored state does not match the
  // checkpoint or its signature), store errors.
  static Result<std::unique_ptr<Log>> Open(const std::string& dir,
                                           const LogOptions& options = {});
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  const std::string& origin() const { return origin_; }
  const NoteVerifier& verifier() const { return verifier_; }
  uint64_t size() const { return size_; }
  Hash root() const { return root_; }
  // The latest signed checkpoint note.
  const std::string& checkpoint() const { return checkpoint_; }

  // Appends `entries` as one batch: hashes them, stores bundles and tiles, signs a checkpoint
  // for the new size and commits (fsynced with kFull) before returning the index of the first
  // entry. On error nothing is appended (in memory or on disk).
  // Errors: kInvalidArgument (an entry longer than 65535 bytes: "entry 3 of the batch: ..."),
  // kFailedPrecondition (opened read-only or without the key file), store errors.
  Result<uint64_t> Append(std::span<const std::string_view> entries);

  // Appends `entries` inside the transaction the caller holds open on the connection (a Log
  // opened with OpenIn; it also works for Open's own connection, but nobody else can open a
  // transaction there). First serialises appenders with
  // `UPDATE ledger_meta SET value = value WHERE key = 'origin'` (a row lock on PostgreSQL;
  // SQLite's immediate transaction already holds the write lock), then, when the stored size
  // differs from the in-memory one (another process or Log appended), reloads the state and
  // appends at the true end. Writes the rows and the new checkpoint; the CALLER commits.
  // Returns the index of the first entry. On error the in-memory state is as before and the
  // caller should roll back. If the caller's transaction does not commit after a successful
  // call (rollback, failed commit), the caller MUST call Reload() before using the Log again.
  // REQUIRES: a transaction is open on the connection (else kFailedPrecondition).
  // Errors: as Append, plus store errors and kDataLoss from reloading.
  Result<uint64_t> AppendInTransaction(std::span<const std::string_view> entries);
  // Reloads the in-memory state (size, root, checkpoint, partial tiles) from the database, as
  // after opening. Errors: as Open (kDataLoss, store errors).
  Status Reload();

  // MTH of the first `size` entries. Errors: kOutOfRange (size > this->size()).
  Result<Hash> RootAt(uint64_t size);
  // Errors: kOutOfRange (index >= size or size > this->size()), kDataLoss (storage).
  Result<InclusionProof> ProveInclusion(uint64_t index, uint64_t size);
  // Errors: kOutOfRange (size1 > size2 or size2 > this->size()), kDataLoss.
  Result<ConsistencyProof> ProveConsistency(uint64_t size1, uint64_t size2);
  // Entry bytes. Errors: kOutOfRange, kDataLoss.
  Result<std::string> ReadEntry(uint64_t index);
  // A tile or entry bundle as C2SP tlog-tiles serves it (the first `coord.width` hashes or
  // entries). Errors: kNotFound (beyond the tree), kDataLoss.
  Result<Bytes> ReadTile(const TileCoord& coord);
  // The hashes of perfect subtrees (for proof generation by other modules).
  Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> nodes);

  // Recomputes everything from the stored entries with `threads` threads: leaf hashes, every
  // stored hash and tile, every stored checkpoint's signature and root. Independent of this
  // object's in-memory state. Errors: kDataLoss naming what is wrong and where, e.g.
  // "entry 1234: stored leaf hash does not match entry bytes".
  Result<VerifyReport> Verify(int threads = 2);
  // The same for a log stored in `conn` (CreateIn), on that connection, single-threaded (for a
  // Log opened with OpenIn, Verify() does this). Errors: kNotFound (no log), kDataLoss as above.
  static Result<VerifyReport> VerifyIn(store::Connection& conn);
  // The same for the log in `dir`, without opening it first (so a log whose stored state no
  // longer opens still gets a precise report). Errors: kNotFound (no log), kDataLoss as above.
  static Result<VerifyReport> VerifyDirectory(const std::string& dir, int threads = 2);

 private:
  struct LevelState;
  struct FullTile;
  struct PendingRow;

  Log();
  Status LoadState();
  Status LoadStateInSnapshot();
  static Result<VerifyReport> VerifyStored(store::Connection& conn, const std::string& dir,
                                           const std::string& db_url, int threads);
  Status LoadDirKeys();
  Status LoadTree();
  Result<uint64_t> AppendImpl(std::span<const std::string_view> entries, bool in_caller_tx);
  void AddHash(int level, const Hash& h, std::vector<PendingRow>* pending);
  Hash ComputeRoot() const;
  Result<Hash> NodeHash(int level, uint64_t index);
  // The hashes of proof `ranges` of a tree of `at` leaves; non-perfect ranges of the current
  // size are cached (there are at most 64 of them per size).
  Result<std::vector<Hash>> HashProofRanges(std::span<const LeafRange> ranges, uint64_t at);
  Result<std::shared_ptr<const FullTile>> GetFullTile(int level, uint64_t index);
  Result<Bytes> ReadBundle(uint64_t index, uint32_t min_width);

  std::string dir_;
  LogOptions options_;
  std::string origin_;
  NoteVerifier verifier_;
  std::optional<NoteSigner> signer_;
  std::string key_error_;  // why log.key could not be loaded, if it could not
  std::unique_ptr<store::Connection> conn_;  // owned (Create/Open); null for OpenIn
  store::Connection* db_ = nullptr;          // conn_.get() or the caller's connection
  std::optional<crypto::SigningKey> in_key_;  // OpenIn's key

  uint64_t size_ = 0;
  Hash root_{};  // MTH at size_
  std::string checkpoint_;
  std::map<LeafRange, Hash> range_cache_;  // folded ranges at size_
  std::vector<LevelState> levels_;  // the rightmost (partial) tile of each tile level
  uint64_t bundle_index_ = 0;       // the rightmost (partial) entry bundle
  uint32_t bundle_count_ = 0;
  Bytes bundle_;

  // LRU cache of full tiles by row id.
  std::list<int64_t> lru_;
  std::unordered_map<int64_t, std::pair<std::shared_ptr<const FullTile>,
                                        std::list<int64_t>::iterator>> cache_;
};

}  // namespace detente::ledger
