// ledger/log.cc: the persistent log. Tested by tests/ledger/log_test.cc (behaviour, recovery,
// corruption) and tests/ledger/crash_test.cc (SIGKILL during appends).
//
// In memory the log keeps, per tile level, the rightmost tile being filled (LevelState): its
// bottom row and the complete nodes above it inside the tile. Appending a leaf pushes its hash
// into level 0; a pair completing inside a tile is hashed at once (amortised one node hash per
// leaf), and a tile reaching 256 hashes is written as a full row and its root pushed into the
// next level. These partial tiles are the compact range: the root of any prefix is a fold of
// at most 64 of their nodes. Full tiles are immutable and cached.
#include "ledger/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/check.h"

namespace detente::ledger {
namespace {

constexpr std::string_view kSqliteSchema = R"sql(
CREATE TABLE ledger_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE ledger_bundles (
  id INTEGER PRIMARY KEY,
  width INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE ledger_tiles (
  id INTEGER PRIMARY KEY,
  width INTEGER NOT NULL,
  hashes BLOB NOT NULL,
  inner BLOB NOT NULL
);
CREATE TABLE ledger_checkpoints (
  size INTEGER PRIMARY KEY,
  note TEXT NOT NULL
);
)sql";

constexpr std::string_view kPostgresSchema = R"sql(
CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE ledger_bundles (id BIGINT PRIMARY KEY, width INTEGER NOT NULL, data BYTEA NOT NULL);
CREATE TABLE ledger_tiles (id BIGINT PRIMARY KEY, width INTEGER NOT NULL, hashes BYTEA NOT NULL,
  "inner" BYTEA NOT NULL);
CREATE TABLE ledger_checkpoints (size BIGINT PRIMARY KEY, note TEXT NOT NULL);
)sql";

const std::array<store::Migration, 1> kMigrations = {{
    {"ledger", 1, "entry bundles, hash tiles, checkpoints", kSqliteSchema, kPostgresSchema},
}};

constexpr std::string_view kUpsertTile =
    "INSERT INTO ledger_tiles (id, width, hashes, \"inner\") VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (id) DO UPDATE SET width = excluded.width, hashes = excluded.hashes, "
    "\"inner\" = excluded.\"inner\"";
constexpr std::string_view kUpsertBundle =
    "INSERT INTO ledger_bundles (id, width, data) VALUES ($1, $2, $3) "
    "ON CONFLICT (id) DO UPDATE SET width = excluded.width, data = excluded.data";
constexpr std::string_view kSelectTile =
    "SELECT width, hashes, \"inner\" FROM ledger_tiles WHERE id = $1";
constexpr std::string_view kSelectBundle = "SELECT width, data FROM ledger_bundles WHERE id = $1";

// Tile rows are keyed by level * 2^56 + index: level-0 indices stay below 2^56 for any
// uint64 tree size, and the key stays a positive int64 for levels 0..7.
constexpr int kLevelShift = 56;
constexpr int kMaxLevels = 8;  // 8 tile levels of height 8 cover 2^64 leaves
int64_t TileId(int level, uint64_t index) {
  return static_cast<int64_t>((static_cast<uint64_t>(level) << kLevelShift) | index);
}

std::string TileName(int level, uint64_t index, uint32_t width = kTileWidth) {
  return FormatTilePath(TileCoord{false, level, index, width});
}
std::string BundleName(uint64_t index) { return FormatTilePath(TileCoord{true, 0, index}); }

Bytes PackHashes(std::span<const Hash> hashes) {
  Bytes out;
  out.reserve(hashes.size() * kHashSize);
  for (const Hash& h : hashes) out.insert(out.end(), h.begin(), h.end());
  return out;
}

Status WriteFileDurably(const std::string& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST) return base::AlreadyExistsError(path + ": already exists");
    return base::PermissionDeniedError(path + ": " + std::strerror(err));
  }
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return base::UnavailableError(path + ": write: " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return base::UnavailableError(path + ": fsync: " + std::strerror(err));
  }
  ::close(fd);
  return base::OkStatus();
}

void SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::NotFoundError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::unique_ptr<store::Connection>> OpenDb(const std::string& dir,
                                                  const LogOptions& options, bool create) {
  store::Options so;
  so.url = "sqlite:" + dir + "/" + std::string(kLogDbFile);
  so.synchronous = options.synchronous;
  so.read_only = options.read_only && !create;
  so.create = create;
  ASSIGN_OR_RETURN(auto conn, store::Connect(so));
  // Proofs read random 16 KiB tile rows; memory-mapped reads save a pread per page.
  RETURN_IF_ERROR(conn->ExecScript("PRAGMA mmap_size = 4294967296"));
  return conn;
}

Result<std::optional<std::string>> GetMeta(store::Connection& conn, std::string_view key) {
  ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT value FROM ledger_meta WHERE key = $1",
                                         {store::Value(key)}));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::string(rows->Text(0)));
}

}  // namespace

std::span<const store::Migration> Migrations() { return kMigrations; }

// The rightmost tile of one tile level. rows[k] holds the complete nodes of in-tile level k.
struct Log::LevelState {
  uint64_t index = 0;
  std::array<std::vector<Hash>, kTileHeight> rows;
  bool dirty = false;
};

struct Log::FullTile {
  Bytes hashes;  // 256 hashes
  Bytes inner;   // TileInnerHashes of them
};

struct Log::PendingRow {
  int64_t id;
  uint32_t width;
  Bytes hashes;
  Bytes inner;
};

Log::Log() = default;
Log::~Log() {
  if (conn_ != nullptr && conn_->in_transaction()) conn_->Rollback().IgnoreError();
}

Result<std::unique_ptr<Log>> Log::Create(const std::string& dir, std::string_view origin,
                                         std::optional<crypto::SigningKey> key,
                                         const LogOptions& options) {
  if (!IsValidKeyName(origin)) {
    return base::InvalidArgumentError("origin \"" + std::string(origin) +
                                      "\" must be non-empty without spaces or '+'");
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return base::PermissionDeniedError(dir + ": cannot create directory: " +
                                       std::strerror(errno));
  }
  std::string db_path = dir + "/" + std::string(kLogDbFile);
  struct stat st;
  if (::stat(db_path.c_str(), &st) == 0) {
    return base::AlreadyExistsError(dir + ": already holds a log (" + db_path + ")");
  }
  crypto::SigningKey sk = key.has_value() ? *key : crypto::SigningKey::Generate();
  ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::Create(origin, kNoteTypeEd25519, sk));
  RETURN_IF_ERROR(sk.SaveFile(dir + "/" + std::string(kLogKeyFile)));
  RETURN_IF_ERROR(WriteFileDurably(dir + "/" + std::string(kLogOriginFile),
                                   std::string(origin) + "\n", 0644));
  RETURN_IF_ERROR(WriteFileDurably(dir + "/" + std::string(kLogVkeyFile),
                                   signer.verifier().ToText() + "\n", 0644));
  LogOptions create_options = options;
  create_options.read_only = false;
  ASSIGN_OR_RETURN(auto conn, OpenDb(dir, create_options, /*create=*/true));
  RETURN_IF_ERROR(store::Migrate(*conn, Migrations()));
  Checkpoint cp;
  cp.origin = std::string(origin);
  cp.size = 0;
  cp.root = EmptyRoot();
  ASSIGN_OR_RETURN(std::string note, SignCheckpoint(cp, signer));
  {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*conn));
    RETURN_IF_ERROR(conn->Exec("INSERT INTO ledger_meta (key, value) VALUES ('origin', $1)",
                               {store::Value(origin)})
                        .status());
    RETURN_IF_ERROR(conn->Exec("INSERT INTO ledger_meta (key, value) VALUES ('vkey', $1)",
                               {store::Value(signer.verifier().ToText())})
                        .status());
    RETURN_IF_ERROR(conn->Exec("INSERT INTO ledger_checkpoints (size, note) VALUES (0, $1)",
                               {store::Value(note)})
                        .status());
    RETURN_IF_ERROR(tx.Commit());
  }
  conn.reset();
  SyncDir(dir);
  return Open(dir, options);
}

Result<std::unique_ptr<Log>> Log::Open(const std::string& dir, const LogOptions& options) {
  std::string db_path = dir + "/" + std::string(kLogDbFile);
  struct stat st;
  if (::stat(db_path.c_str(), &st) != 0) {
    return base::NotFoundError(dir + ": no log here (" + db_path + " is missing)");
  }
  std::unique_ptr<Log> log(new Log());
  log->dir_ = dir;
  log->options_ = options;
  ASSIGN_OR_RETURN(log->conn_, OpenDb(dir, options, /*create=*/false));
  log->db_ = log->conn_.get();
  if (!options.read_only) RETURN_IF_ERROR(store::Migrate(*log->conn_, Migrations()));
  RETURN_IF_ERROR(log->LoadState());
  if (options.read_only) {
    // A read-only Log serves the snapshot it loaded; one long read transaction keeps the
    // database at that snapshot and saves SQLite's per-query lock round trips (about a third
    // of the cost of a proof). It ends when the Log is destroyed.
    RETURN_IF_ERROR(log->db_->Begin(store::Connection::TxMode::kDeferred));
  }
  return log;
}

Result<std::unique_ptr<Log>> Log::CreateIn(store::Connection& conn, std::string_view origin,
                                           const crypto::SigningKey& key,
                                           const LogOptions& options) {
  if (!IsValidKeyName(origin)) {
    return base::InvalidArgumentError("origin \"" + std::string(origin) +
                                      "\" must be non-empty without spaces or '+'");
  }
  if (!conn.in_transaction()) RETURN_IF_ERROR(store::Migrate(conn, Migrations()));
  ASSIGN_OR_RETURN(auto existing, GetMeta(conn, "origin"));
  if (existing.has_value()) {
    return base::AlreadyExistsError("the database already holds a log (origin \"" +
                                    *existing + "\")");
  }
  ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::Create(origin, kNoteTypeEd25519, key));
  Checkpoint cp;
  cp.origin = std::string(origin);
  cp.size = 0;
  cp.root = EmptyRoot();
  ASSIGN_OR_RETURN(std::string note, SignCheckpoint(cp, signer));
  auto insert = [&]() -> Status {
    RETURN_IF_ERROR(conn.Exec("INSERT INTO ledger_meta (key, value) VALUES ('origin', $1)",
                              {store::Value(origin)})
                        .status());
    RETURN_IF_ERROR(conn.Exec("INSERT INTO ledger_meta (key, value) VALUES ('vkey', $1)",
                              {store::Value(signer.verifier().ToText())})
                        .status());
    return conn.Exec("INSERT INTO ledger_checkpoints (size, note) VALUES (0, $1)",
                     {store::Value(note)})
        .status();
  };
  if (conn.in_transaction()) {
    RETURN_IF_ERROR(insert());
  } else {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(conn));
    RETURN_IF_ERROR(insert());
    RETURN_IF_ERROR(tx.Commit());
  }
  return OpenIn(conn, key, options);
}

Result<std::unique_ptr<Log>> Log::OpenIn(store::Connection& conn,
                                         std::optional<crypto::SigningKey> key,
                                         const LogOptions& options) {
  if (!conn.in_transaction() && !options.read_only) {
    RETURN_IF_ERROR(store::Migrate(conn, Migrations()));
  }
  {
    auto origin = GetMeta(conn, "origin");
    if (!origin.ok() || !origin->has_value()) {
      return base::NotFoundError("no log in this database" +
                                 (origin.ok() ? std::string()
                                              : " (" + origin.status().message() + ")"));
    }
  }
  std::unique_ptr<Log> log(new Log());
  log->options_ = options;
  log->db_ = &conn;
  log->in_key_ = std::move(key);
  RETURN_IF_ERROR(log->LoadState());
  return log;
}

Status Log::Reload() { return LoadState(); }

// The state is read with several statements (checkpoint, tiles, bundle); another process may
// commit an append between them, so outside a caller's transaction they run in one read
// transaction (a snapshot on both backends).
Status Log::LoadState() {
  if (db_->in_transaction()) return LoadStateInSnapshot();
  RETURN_IF_ERROR(db_->Begin(store::Connection::TxMode::kDeferred));
  Status s = LoadStateInSnapshot();
  Status end = db_->Rollback();  // read only: nothing to commit
  if (!s.ok()) return s;
  return end;
}

Status Log::LoadStateInSnapshot() {
  ASSIGN_OR_RETURN(auto origin, GetMeta(*db_, "origin"));
  ASSIGN_OR_RETURN(auto vkey, GetMeta(*db_, "vkey"));
  if (!origin || !vkey) return base::DataLossError("log database has no origin or verifier key");
  origin_ = *origin;
  auto v = NoteVerifier::Parse(*vkey);
  if (!v.ok()) return base::DataLossError("stored verifier key: " + v.status().message());
  verifier_ = *v;
  if (dir_.empty()) {
    // A log in a caller's connection (OpenIn): the key comes from the caller.
    if (in_key_.has_value() && !options_.read_only) {
      ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::Create(origin_, kNoteTypeEd25519, *in_key_));
      if (signer.key_hash() != verifier_.key_hash() ||
          signer.verifier().public_key() != verifier_.public_key()) {
        return base::DataLossError("the given key does not match the log's verifier key");
      }
      signer_ = std::move(signer);
    }
  } else if (auto loaded = LoadDirKeys(); !loaded.ok()) {
    return loaded;
  }
  return LoadTree();
}

Status Log::LoadDirKeys() {
  // log.vkey is what operators hand out; a database whose key differs was swapped or forged.
  std::string vkey_path = dir_ + "/" + std::string(kLogVkeyFile);
  if (auto file_vkey = ReadSmallFile(vkey_path); file_vkey.ok()) {
    std::string_view fv = *file_vkey;
    while (!fv.empty() && (fv.back() == '\n' || fv.back() == '\r')) fv.remove_suffix(1);
    if (fv != verifier_.ToText()) {
      return base::DataLossError(vkey_path + " does not match the verifier key in the database");
    }
  }
  // The signing key is optional (read-only tools do not need it).
  std::string key_path = dir_ + "/" + std::string(kLogKeyFile);
  struct stat st;
  if (::stat(key_path.c_str(), &st) == 0 && !options_.read_only) {
    auto sk = crypto::SigningKey::LoadFile(key_path);
    if (!sk.ok()) key_error_ = key_path + ": " + sk.status().message();
    if (sk.ok()) {
      ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::Create(origin_, kNoteTypeEd25519, *sk));
      if (signer.key_hash() != verifier_.key_hash() ||
          signer.verifier().public_key() != verifier_.public_key()) {
        return base::DataLossError(key_path + " does not match the log's verifier key");
      }
      signer_ = std::move(signer);
    }
  }
  return base::OkStatus();
}

Status Log::LoadTree() {
  ASSIGN_OR_RETURN(auto rows, db_->Query(
                                  "SELECT size, note FROM ledger_checkpoints "
                                  "ORDER BY size DESC LIMIT 1"));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return base::DataLossError("log database has no checkpoint");
  }
  auto stored_size = static_cast<uint64_t>(rows->Int64(0));
  std::string note(rows->Text(1));
  rows.reset();
  auto signed_cp = OpenCheckpoint(note, verifier_);
  if (!signed_cp.ok()) {
    return base::DataLossError("latest checkpoint (size " + std::to_string(stored_size) +
                               "): " + signed_cp.status().message());
  }
  if (signed_cp->checkpoint.size != stored_size) {
    return base::DataLossError("latest checkpoint row size " + std::to_string(stored_size) +
                               " differs from its note's size " +
                               std::to_string(signed_cp->checkpoint.size));
  }
  size_ = stored_size;
  checkpoint_ = note;

  // Rebuild the rightmost tile of every level from its stored row.
  levels_.clear();
  for (int level = 0; level < kMaxLevels; ++level) {
    uint64_t nodes = size_ >> (kTileHeight * level);
    if (nodes == 0 && level > 0) break;
    LevelState st_level;
    st_level.index = nodes >> kTileHeight;
    auto width = static_cast<uint32_t>(nodes & (kTileWidth - 1));
    levels_.push_back(std::move(st_level));
    if (width == 0) continue;
    ASSIGN_OR_RETURN(auto r, db_->Query(kSelectTile,
                                          {store::Value(TileId(level, levels_.back().index))}));
    std::string name = TileName(level, levels_.back().index, width);
    if (!r->Next()) {
      RETURN_IF_ERROR(r->status());
      return base::DataLossError(name + ": missing");
    }
    base::ByteView hashes = r->Blob(1);
    if (static_cast<uint32_t>(r->Int64(0)) != width || hashes.size() != width * kHashSize) {
      return base::DataLossError(name + ": stored width " + std::to_string(r->Int64(0)) +
                                 " does not match the checkpoint size " + std::to_string(size_));
    }
    std::vector<Hash> bottom;
    for (uint32_t i = 0; i < width; ++i) bottom.push_back(HashAt(hashes, i));
    r.reset();
    LevelState& ls = levels_.back();
    for (const Hash& h : bottom) {
      ls.rows[0].push_back(h);
      for (size_t k = 0; k + 1 < kTileHeight && ls.rows[k].size() % 2 == 0; ++k) {
        const auto& row = ls.rows[k];
        ls.rows[k + 1].push_back(HashChildren(row[row.size() - 2], row[row.size() - 1]));
      }
    }
  }
  bundle_index_ = size_ / kTileWidth;
  bundle_count_ = static_cast<uint32_t>(size_ % kTileWidth);
  bundle_.clear();
  if (bundle_count_ > 0) {
    ASSIGN_OR_RETURN(bundle_, ReadBundle(bundle_index_, bundle_count_));
    ASSIGN_OR_RETURN(auto entries, ParseEntryBundle(bundle_, base::StatusCode::kDataLoss));
    if (entries.size() != bundle_count_) {
      return base::DataLossError(BundleName(bundle_index_) + ": holds " +
                                 std::to_string(entries.size()) + " entries, checkpoint says " +
                                 std::to_string(bundle_count_));
    }
  }
  root_ = ComputeRoot();
  range_cache_.clear();
  if (root_ != signed_cp->checkpoint.root) {
    return base::DataLossError("stored tiles do not match the latest checkpoint's root (size " +
                               std::to_string(size_) + ")");
  }
  return base::OkStatus();
}

Hash Log::ComputeRoot() const {
  if (size_ == 0) return EmptyRoot();
  std::vector<Hash> hashes;
  for (const NodeId& id : RangeNodes(0, size_)) {
    const LevelState& ls = levels_[static_cast<size_t>(id.level / kTileHeight)];
    int k = id.level % kTileHeight;
    uint64_t pos = id.index - (ls.index << (kTileHeight - k));
    hashes.push_back(ls.rows[static_cast<size_t>(k)][pos]);
  }
  return FoldRange(hashes);
}

void Log::AddHash(int level, const Hash& hash, std::vector<PendingRow>* pending) {
  Hash h = hash;
  for (int l = level;; ++l) {
    DETENTE_CHECK(l < kMaxLevels);  // a uint64 tree size never needs a ninth level
    if (static_cast<size_t>(l) == levels_.size()) levels_.emplace_back();
    LevelState& ls = levels_[static_cast<size_t>(l)];
    ls.rows[0].push_back(h);
    ls.dirty = true;
    for (size_t k = 0; k + 1 < kTileHeight && ls.rows[k].size() % 2 == 0; ++k) {
      const auto& row = ls.rows[k];
      ls.rows[k + 1].push_back(HashChildren(row[row.size() - 2], row[row.size() - 1]));
    }
    if (ls.rows[0].size() < kTileWidth) return;
    // The tile is full: write it and carry its root up.
    const auto& top = ls.rows[kTileHeight - 1];
    Hash tile_root = HashChildren(top[0], top[1]);
    PendingRow row{TileId(l, ls.index), kTileWidth, PackHashes(ls.rows[0]), {}};
    for (size_t k = 1; k < kTileHeight; ++k) {
      for (const Hash& x : ls.rows[k]) row.inner.insert(row.inner.end(), x.begin(), x.end());
    }
    pending->push_back(std::move(row));
    ++ls.index;
    for (auto& r : ls.rows) r.clear();
    ls.dirty = false;
    h = tile_root;
  }
}

Result<uint64_t> Log::Append(std::span<const std::string_view> entries) {
  return AppendImpl(entries, /*in_caller_tx=*/false);
}

Result<uint64_t> Log::AppendInTransaction(std::span<const std::string_view> entries) {
  if (!db_->in_transaction()) {
    return base::FailedPreconditionError("AppendInTransaction: no transaction is open");
  }
  if (!signer_) return AppendImpl(entries, true);  // reports why it cannot sign
  RETURN_IF_ERROR(
      db_->Exec("UPDATE ledger_meta SET value = value WHERE key = 'origin'").status());
  ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT MAX(size) FROM ledger_checkpoints"));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return base::DataLossError("log database has no checkpoint");
  }
  auto stored = static_cast<uint64_t>(rows->Int64(0));
  rows.reset();
  if (stored != size_) RETURN_IF_ERROR(LoadState());
  return AppendImpl(entries, /*in_caller_tx=*/true);
}

Result<uint64_t> Log::AppendImpl(std::span<const std::string_view> entries, bool in_caller_tx) {
  if (!signer_) {
    return base::FailedPreconditionError(
        options_.read_only ? "log opened read-only"
        : !key_error_.empty() ? "cannot load the log key: " + key_error_
        : dir_.empty()        ? std::string("the log was opened without its key")
                              : dir_ + ": the log key file is missing");
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() > kMaxEntrySize) {
      return base::InvalidArgumentError("entry " + std::to_string(i) + " of the batch: " +
                                        std::to_string(entries[i].size()) +
                                        " bytes; at most 65535 are allowed");
    }
  }
  uint64_t first = size_;
  if (entries.empty()) return first;

  // Snapshot the in-memory state so a failed commit leaves the log as it was.
  std::vector<LevelState> saved_levels = levels_;
  Bytes saved_bundle = bundle_;
  uint64_t saved_bundle_index = bundle_index_;
  uint32_t saved_bundle_count = bundle_count_;
  uint64_t saved_size = size_;
  std::string saved_checkpoint = checkpoint_;
  Hash saved_root = root_;
  range_cache_.clear();
  auto restore = [&] {
    root_ = saved_root;
    levels_ = std::move(saved_levels);
    bundle_ = std::move(saved_bundle);
    bundle_index_ = saved_bundle_index;
    bundle_count_ = saved_bundle_count;
    size_ = saved_size;
    checkpoint_ = std::move(saved_checkpoint);
  };
  for (auto& ls : levels_) ls.dirty = false;

  std::vector<PendingRow> tiles;
  std::vector<std::pair<uint64_t, Bytes>> full_bundles;
  bool bundle_dirty = false;
  for (std::string_view e : entries) {
    AddHash(0, HashLeaf(e), &tiles);
    AppendBundleEntry(&bundle_, base::AsBytes(e));
    bundle_dirty = true;
    if (++bundle_count_ == kTileWidth) {
      full_bundles.emplace_back(bundle_index_, std::move(bundle_));
      bundle_.clear();
      bundle_count_ = 0;
      ++bundle_index_;
      bundle_dirty = false;
    }
  }
  size_ += entries.size();
  for (size_t l = 0; l < levels_.size(); ++l) {
    LevelState& ls = levels_[l];
    if (!ls.dirty || ls.rows[0].empty()) continue;
    PendingRow row{TileId(static_cast<int>(l), ls.index),
                   static_cast<uint32_t>(ls.rows[0].size()), PackHashes(ls.rows[0]), {}};
    for (size_t k = 1; k < kTileHeight; ++k) {
      for (const Hash& x : ls.rows[k]) row.inner.insert(row.inner.end(), x.begin(), x.end());
    }
    tiles.push_back(std::move(row));
  }

  Checkpoint cp;
  cp.origin = origin_;
  cp.size = size_;
  cp.root = ComputeRoot();
  auto note = SignCheckpoint(cp, *signer_);
  if (!note.ok()) {
    restore();
    return note.status();
  }

  auto write = [&]() -> Status {
    std::optional<store::Transaction> tx;
    if (!in_caller_tx) {
      ASSIGN_OR_RETURN(auto t, store::Transaction::Begin(*db_));
      tx.emplace(std::move(t));
    }
    // Only one appender: the stored size must still be ours.
    ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT MAX(size) FROM ledger_checkpoints"));
    if (!rows->Next()) return rows->status();
    if (static_cast<uint64_t>(rows->Int64(0)) != saved_size) {
      return base::FailedPreconditionError(
          "the log grew under this process (another appender?): stored size " +
          std::to_string(rows->Int64(0)) + ", expected " + std::to_string(saved_size));
    }
    rows.reset();
    for (auto& [index, data] : full_bundles) {
      RETURN_IF_ERROR(db_->Exec(kUpsertBundle, {store::Value(static_cast<int64_t>(index)),
                                                  store::Value(static_cast<int64_t>(kTileWidth)),
                                                  store::Value(std::move(data))})
                          .status());
    }
    if (bundle_dirty && bundle_count_ > 0) {
      RETURN_IF_ERROR(db_->Exec(kUpsertBundle,
                                  {store::Value(static_cast<int64_t>(bundle_index_)),
                                   store::Value(static_cast<int64_t>(bundle_count_)),
                                   store::Value(base::ByteView(bundle_))})
                          .status());
    }
    for (PendingRow& row : tiles) {
      RETURN_IF_ERROR(db_->Exec(kUpsertTile, {store::Value(row.id),
                                                store::Value(static_cast<int64_t>(row.width)),
                                                store::Value(std::move(row.hashes)),
                                                store::Value(std::move(row.inner))})
                          .status());
    }
    RETURN_IF_ERROR(db_->Exec("INSERT INTO ledger_checkpoints (size, note) VALUES ($1, $2)",
                                {store::Value(static_cast<int64_t>(size_)), store::Value(*note)})
                        .status());
    return tx.has_value() ? tx->Commit() : base::OkStatus();
  };
  Status s = write();
  if (!s.ok()) {
    restore();
    return s;
  }
  checkpoint_ = std::move(*note);
  root_ = cp.root;
  return first;
}

Result<std::shared_ptr<const Log::FullTile>> Log::GetFullTile(int level, uint64_t index) {
  int64_t id = TileId(level, index);
  auto it = cache_.find(id);
  if (it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.second);
    return it->second.first;
  }
  ASSIGN_OR_RETURN(auto rows, db_->Query(kSelectTile, {store::Value(id)}));
  std::string name = TileName(level, index);
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return base::DataLossError(name + ": missing");
  }
  base::ByteView hashes = rows->Blob(1);
  base::ByteView inner = rows->Blob(2);
  if (rows->Int64(0) != kTileWidth || hashes.size() != kTileWidth * kHashSize ||
      inner.size() != TileInnerOffset(kTileWidth, kTileHeight) * kHashSize) {
    return base::DataLossError(name + ": stored row is not a full tile");
  }
  auto tile = std::make_shared<FullTile>();
  tile->hashes.assign(hashes.begin(), hashes.end());
  tile->inner.assign(inner.begin(), inner.end());
  if (options_.tile_cache_tiles > 0 && level > 0) {
    if (cache_.size() >= options_.tile_cache_tiles) {
      cache_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(id);
    cache_.emplace(id, std::make_pair(tile, lru_.begin()));
  }
  return std::shared_ptr<const FullTile>(std::move(tile));
}

Result<Hash> Log::NodeHash(int level, uint64_t index) {
  int tl = level / kTileHeight;
  int k = level % kTileHeight;
  uint64_t tile = index >> (kTileHeight - k);
  uint64_t pos = index & ((uint64_t{1} << (kTileHeight - k)) - 1);
  if (static_cast<size_t>(tl) >= levels_.size() || tile > levels_[static_cast<size_t>(tl)].index) {
    return base::OutOfRangeError("node at level " + std::to_string(level) + " index " +
                                 std::to_string(index) + " is beyond the tree");
  }
  const LevelState& ls = levels_[static_cast<size_t>(tl)];
  if (tile == ls.index) {
    const auto& row = ls.rows[static_cast<size_t>(k)];
    if (pos >= row.size()) {
      return base::OutOfRangeError("node at level " + std::to_string(level) + " index " +
                                   std::to_string(index) + " is not complete");
    }
    return row[pos];
  }
  ASSIGN_OR_RETURN(auto full, GetFullTile(tl, tile));
  if (k == 0) return HashAt(full->hashes, pos);
  return HashAt(full->inner, TileInnerOffset(kTileWidth, k) + pos);
}

Result<std::vector<Hash>> Log::ReadNodes(std::span<const NodeId> nodes) {
  std::vector<Hash> out(nodes.size());
  // Nodes in level-0 tiles that are neither in memory nor cached: read each such tile once,
  // straight from the row, without copying it.
  std::vector<size_t> pending;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeId& id = nodes[i];
    int tl = id.level / kTileHeight;
    int k = id.level % kTileHeight;
    uint64_t tile = id.index >> (kTileHeight - k);
    bool uncached_level0 = tl == 0 && !levels_.empty() && tile < levels_[0].index;
    if (uncached_level0) {
      pending.push_back(i);
      continue;
    }
    ASSIGN_OR_RETURN(out[i], NodeHash(id.level, id.index));
  }
  while (!pending.empty()) {
    uint64_t tile = nodes[pending[0]].index >> (kTileHeight - nodes[pending[0]].level);
    ASSIGN_OR_RETURN(auto rows, db_->Query(kSelectTile, {store::Value(TileId(0, tile))}));
    std::string name = TileName(0, tile);
    if (!rows->Next()) {
      RETURN_IF_ERROR(rows->status());
      return base::DataLossError(name + ": missing");
    }
    base::ByteView hashes = rows->Blob(1);
    base::ByteView inner = rows->Blob(2);
    if (rows->Int64(0) != kTileWidth || hashes.size() != kTileWidth * kHashSize ||
        inner.size() != TileInnerOffset(kTileWidth, kTileHeight) * kHashSize) {
      return base::DataLossError(name + ": stored row is not a full tile");
    }
    std::vector<size_t> rest;
    for (size_t i : pending) {
      const NodeId& id = nodes[i];
      int k = id.level;
      if ((id.index >> (kTileHeight - k)) != tile) {
        rest.push_back(i);
        continue;
      }
      uint64_t pos = id.index & ((uint64_t{1} << (kTileHeight - k)) - 1);
      out[i] = k == 0 ? HashAt(hashes, pos) : HashAt(inner, TileInnerOffset(kTileWidth, k) + pos);
    }
    pending = std::move(rest);
  }
  return out;
}

Result<std::vector<Hash>> Log::HashProofRanges(std::span<const LeafRange> ranges, uint64_t at) {
  bool cacheable = at == size_;
  std::vector<NodeId> nodes;
  std::vector<size_t> counts(ranges.size(), 0);
  std::vector<Hash> out(ranges.size());
  for (size_t r = 0; r < ranges.size(); ++r) {
    if (cacheable) {
      auto it = range_cache_.find(ranges[r]);
      if (it != range_cache_.end()) {
        out[r] = it->second;
        continue;
      }
    }
    auto rn = RangeNodes(ranges[r].first, ranges[r].second);
    counts[r] = rn.size();
    nodes.insert(nodes.end(), rn.begin(), rn.end());
  }
  ASSIGN_OR_RETURN(std::vector<Hash> hashes, ReadNodes(nodes));
  size_t pos = 0;
  for (size_t r = 0; r < ranges.size(); ++r) {
    if (counts[r] == 0) continue;
    out[r] = FoldRange(std::span<const Hash>(hashes).subspan(pos, counts[r]));
    pos += counts[r];
    if (cacheable && counts[r] > 1) range_cache_.emplace(ranges[r], out[r]);
  }
  return out;
}

Result<Hash> Log::RootAt(uint64_t at) {
  if (at > size_) {
    return base::OutOfRangeError("size " + std::to_string(at) + " exceeds the log size " +
                                 std::to_string(size_));
  }
  if (at == size_) return root_;
  if (at == 0) return EmptyRoot();
  ASSIGN_OR_RETURN(std::vector<Hash> hashes, ReadNodes(RangeNodes(0, at)));
  return FoldRange(hashes);
}

Result<InclusionProof> Log::ProveInclusion(uint64_t index, uint64_t at) {
  if (at > size_) {
    return base::OutOfRangeError("size " + std::to_string(at) + " exceeds the log size " +
                                 std::to_string(size_));
  }
  if (index >= at) {
    return base::OutOfRangeError("index " + std::to_string(index) + " is not below size " +
                                 std::to_string(at));
  }
  InclusionProof p;
  p.index = index;
  p.size = at;
  ASSIGN_OR_RETURN(auto ranges, InclusionProofRanges(index, at));
  ranges.emplace_back(index, index + 1);  // the leaf hash, read with the same tile
  ASSIGN_OR_RETURN(p.proof, HashProofRanges(ranges, at));
  p.leaf_hash = p.proof.back();
  p.proof.pop_back();
  ASSIGN_OR_RETURN(p.root, RootAt(at));
  return p;
}

Result<ConsistencyProof> Log::ProveConsistency(uint64_t size1, uint64_t size2) {
  if (size2 > size_) {
    return base::OutOfRangeError("size " + std::to_string(size2) + " exceeds the log size " +
                                 std::to_string(size_));
  }
  if (size1 > size2) {
    return base::OutOfRangeError("size1 " + std::to_string(size1) + " exceeds size2 " +
                                 std::to_string(size2));
  }
  ConsistencyProof p;
  p.size1 = size1;
  p.size2 = size2;
  ASSIGN_OR_RETURN(auto ranges, ConsistencyProofRanges(size1, size2));
  ASSIGN_OR_RETURN(p.proof, HashProofRanges(ranges, size2));
  ASSIGN_OR_RETURN(p.root1, RootAt(size1));
  ASSIGN_OR_RETURN(p.root2, RootAt(size2));
  return p;
}

Result<Bytes> Log::ReadBundle(uint64_t index, uint32_t min_width) {
  ASSIGN_OR_RETURN(auto rows, db_->Query(kSelectBundle,
                                           {store::Value(static_cast<int64_t>(index))}));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return base::DataLossError(BundleName(index) + ": missing");
  }
  if (rows->Int64(0) < min_width) {
    return base::DataLossError(BundleName(index) + ": holds " + std::to_string(rows->Int64(0)) +
                               " entries, expected at least " + std::to_string(min_width));
  }
  base::ByteView data = rows->Blob(1);
  return Bytes(data.begin(), data.end());
}

Result<std::string> Log::ReadEntry(uint64_t index) {
  if (index >= size_) {
    return base::OutOfRangeError("entry " + std::to_string(index) + " is beyond the log size " +
                                 std::to_string(size_));
  }
  uint64_t b = index / kTileWidth;
  size_t i = index % kTileWidth;
  Bytes stored;
  const Bytes* data = &bundle_;
  if (b != bundle_index_) {
    ASSIGN_OR_RETURN(stored, ReadBundle(b, kTileWidth));
    data = &stored;
  }
  ASSIGN_OR_RETURN(auto entries, ParseEntryBundle(*data, base::StatusCode::kDataLoss));
  if (i >= entries.size()) {
    return base::DataLossError(BundleName(b) + ": entry " + std::to_string(index) + " missing");
  }
  return std::string(base::AsChars(entries[i]));
}

Result<Bytes> Log::ReadTile(const TileCoord& c) {
  if (c.entries) {
    uint32_t have = TileWidthAt(0, c.index, size_);
    if (have < c.width) {
      return base::NotFoundError(FormatTilePath(c) + ": beyond the log size " +
                                 std::to_string(size_));
    }
    Bytes stored;
    const Bytes* data = &bundle_;
    if (c.index != bundle_index_) {
      ASSIGN_OR_RETURN(stored, ReadBundle(c.index, c.width));
      data = &stored;
    }
    ASSIGN_OR_RETURN(auto entries, ParseEntryBundle(*data, base::StatusCode::kDataLoss));
    if (entries.size() < c.width) {
      return base::DataLossError(FormatTilePath(c) + ": stored bundle too short");
    }
    Bytes out;
    for (uint32_t i = 0; i < c.width; ++i) AppendBundleEntry(&out, entries[i]);
    return out;
  }
  if (c.level >= kMaxLevels || static_cast<size_t>(c.level) >= levels_.size() ||
      TileWidthAt(c.level, c.index, size_) < c.width) {
    return base::NotFoundError(FormatTilePath(c) + ": beyond the log size " +
                               std::to_string(size_));
  }
  const LevelState& ls = levels_[static_cast<size_t>(c.level)];
  if (c.index == ls.index) {
    return PackHashes(std::span<const Hash>(ls.rows[0]).subspan(0, c.width));
  }
  ASSIGN_OR_RETURN(auto full, GetFullTile(c.level, c.index));
  return Bytes(full->hashes.begin(),
               full->hashes.begin() + static_cast<std::ptrdiff_t>(c.width * kHashSize));
}

}  // namespace detente::ledger
