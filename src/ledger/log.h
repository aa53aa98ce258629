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
// Thread-safety: a Log is NOT thread-safe (it owns one database connection); open one Log per
// thread for concurrent readers. Appends from two processes are serialised by SQLite's write
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
  // The same for the log in `dir`, without opening it first (so a log whose stored state no
  // longer opens still gets a precise report). Errors: kNotFound (no log), kDataLoss as above.
  static Result<VerifyReport> VerifyDirectory(const std::string& dir, int threads = 2);

 private:
  struct LevelState;
  struct FullTile;
  struct PendingRow;

  Log();
  Status LoadState();
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
  std::unique_ptr<store::Connection> conn_;

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
