// ledger/log_verify.cc: Log::Verify, the audit that trusts nothing in the database: it
// recomputes every leaf hash from the stored entry bundles, every stored hash (tile rows and
// the hashes inside them), the tree roots, and checks every stored checkpoint's signature and
// root. Level 0 (the bulk: one leaf hash plus about one node hash per entry) is split across
// threads, each with its own read-only connection. Tested by tests/ledger/log_test.cc.
#include <unistd.h>

#include <fstream>
#include <thread>

#include "ledger/log.h"

namespace detente::ledger {
namespace {

constexpr int kLevelShift = 56;
int64_t TileId(int level, uint64_t index) {
  return static_cast<int64_t>((static_cast<uint64_t>(level) << kLevelShift) | index);
}
std::string TileName(int level, uint64_t index, uint32_t width = kTileWidth) {
  return FormatTilePath(TileCoord{false, level, index, width});
}

// Checks one stored tile row (bottom `hashes`, `inner`) against the expected bottom row and
// the hashes inside it; returns the tile's root when full.
Status CheckTile(int level, uint64_t index, uint32_t width, base::ByteView hashes,
                 base::ByteView inner, std::span<const Hash> expected_bottom,
                 std::string_view bottom_what, Hash* root) {
  std::string name = TileName(level, index, width);
  if (hashes.size() != width * kHashSize) {
    return base::DataLossError(name + ": stored bottom row has " +
                               std::to_string(hashes.size()) + " bytes, expected " +
                               std::to_string(width * kHashSize));
  }
  for (uint32_t i = 0; i < width; ++i) {
    if (HashAt(hashes, i) != expected_bottom[i]) {
      if (level == 0) {
        return base::DataLossError("entry " + std::to_string(index * kTileWidth + i) +
                                   ": stored leaf hash does not match entry bytes");
      }
      return base::DataLossError(name + ": hash " + std::to_string(i) + " does not match " +
                                 std::string(bottom_what) + " " +
                                 TileName(level - 1, index * kTileWidth + i));
    }
  }
  std::vector<Hash> row(expected_bottom.begin(), expected_bottom.begin() + width);
  size_t expected_inner = TileInnerOffset(width, kTileHeight) * kHashSize;
  if (inner.size() != expected_inner) {
    return base::DataLossError(name + ": stored inner hashes have " +
                               std::to_string(inner.size()) + " bytes, expected " +
                               std::to_string(expected_inner));
  }
  size_t off = 0;
  for (int k = 1; k < kTileHeight; ++k) {
    std::vector<Hash> next;
    for (size_t i = 0; i + 1 < row.size(); i += 2) next.push_back(HashChildren(row[i], row[i + 1]));
    for (size_t i = 0; i < next.size(); ++i) {
      if (HashAt(inner, off + i) != next[i]) {
        return base::DataLossError(name + ": stored hash at in-tile level " + std::to_string(k) +
                                   " index " + std::to_string(i) +
                                   " does not match its children");
      }
    }
    off += next.size();
    row = std::move(next);
  }
  if (width == kTileWidth) *root = HashChildren(row[0], row[1]);
  return base::OkStatus();
}

struct Chunk {
  uint64_t first = 0;  // bundle indices [first, last)
  uint64_t last = 0;
  Status status;
  std::vector<Hash> tops;  // roots of the full level-0 tiles, in order
};

// Reads through `shared` when given (VerifyIn: one thread), else opens its own connection.
void VerifyLevel0(const std::string& db_url, store::Connection* shared, uint64_t tree_size,
                  Chunk* chunk) {
  auto run = [&]() -> Status {
    std::unique_ptr<store::Connection> own;
    if (shared == nullptr) {
      store::Options so;
      so.url = db_url;
      so.read_only = true;
      so.create = false;
      ASSIGN_OR_RETURN(own, store::Connect(so));
    }
    store::Connection* conn = shared != nullptr ? shared : own.get();
    ASSIGN_OR_RETURN(auto bundles,
                     conn->Query("SELECT id, width, data FROM ledger_bundles "
                                 "WHERE id >= $1 AND id < $2 ORDER BY id",
                                 {store::Value(static_cast<int64_t>(chunk->first)),
                                  store::Value(static_cast<int64_t>(chunk->last))}));
    ASSIGN_OR_RETURN(auto tiles,
                     conn->Query("SELECT id, width, hashes, \"inner\" FROM ledger_tiles "
                                 "WHERE id >= $1 AND id < $2 ORDER BY id",
                                 {store::Value(TileId(0, chunk->first)),
                                  store::Value(TileId(0, chunk->last))}));
    std::vector<Hash> leaves;
    leaves.reserve(kTileWidth);
    for (uint64_t b = chunk->first; b < chunk->last; ++b) {
      uint32_t width = TileWidthAt(0, b, tree_size);
      std::string bname = FormatTilePath(TileCoord{true, 0, b, width});
      if (!bundles->Next()) {
        RETURN_IF_ERROR(bundles->status());
        return base::DataLossError(bname + ": entry bundle missing");
      }
      if (static_cast<uint64_t>(bundles->Int64(0)) != b) {
        return base::DataLossError(bname + ": entry bundle missing");
      }
      if (bundles->Int64(1) != width) {
        return base::DataLossError(bname + ": stored width " + std::to_string(bundles->Int64(1)) +
                                   ", expected " + std::to_string(width));
      }
      auto entries = ParseEntryBundle(bundles->Blob(2), base::StatusCode::kDataLoss);
      if (!entries.ok()) return entries.status().WithContext(bname);
      if (entries->size() != width) {
        return base::DataLossError(bname + ": holds " + std::to_string(entries->size()) +
                                   " entries, expected " + std::to_string(width));
      }
      leaves.clear();
      for (base::ByteView e : *entries) leaves.push_back(HashLeaf(e));
      std::string tname = TileName(0, b, width);
      if (!tiles->Next()) {
        RETURN_IF_ERROR(tiles->status());
        return base::DataLossError(tname + ": hash tile missing");
      }
      if (tiles->Int64(0) != TileId(0, b)) {
        return base::DataLossError(tname + ": hash tile missing");
      }
      if (tiles->Int64(1) != width) {
        return base::DataLossError(tname + ": stored width " + std::to_string(tiles->Int64(1)) +
                                   ", expected " + std::to_string(width));
      }
      Hash root;
      RETURN_IF_ERROR(CheckTile(0, b, width, tiles->Blob(2), tiles->Blob(3), leaves,
                                "the leaf hash of", &root));
      if (width == kTileWidth) chunk->tops.push_back(root);
    }
    return base::OkStatus();
  };
  chunk->status = run();
}

}  // namespace

Result<VerifyReport> Log::Verify(int threads) {
  if (dir_.empty()) return VerifyIn(*db_);
  return VerifyDirectory(dir_, threads);
}

Result<VerifyReport> Log::VerifyIn(store::Connection& conn) {
  return VerifyStored(conn, /*dir=*/"", /*db_url=*/"", 1);
}

Result<VerifyReport> Log::VerifyDirectory(const std::string& dir, int threads) {
  std::string db_url = "sqlite:" + dir + "/" + std::string(kLogDbFile);
  std::string db_path = dir + "/" + std::string(kLogDbFile);
  if (::access(db_path.c_str(), F_OK) != 0) {
    return base::NotFoundError(dir + ": no log here (" + db_path + " is missing)");
  }
  store::Options so;
  so.url = db_url;
  so.read_only = true;
  so.create = false;
  ASSIGN_OR_RETURN(auto conn, store::Connect(so));
  return VerifyStored(*conn, dir, db_url, threads);
}

// dir and db_url empty: the log in `conn` (VerifyIn), single-threaded on that connection.
Result<VerifyReport> Log::VerifyStored(store::Connection& conn_ref, const std::string& dir,
                                       const std::string& db_url, int threads) {
  VerifyReport report;
  store::Connection* conn = &conn_ref;
  // The verifier key as stored, cross-checked against log.vkey when that file exists.
  ASSIGN_OR_RETURN(auto vrows, conn->Query("SELECT value FROM ledger_meta WHERE key = 'vkey'"));
  if (!vrows->Next()) {
    RETURN_IF_ERROR(vrows->status());
    if (dir.empty()) return base::NotFoundError("no log in this database");
    return base::DataLossError("log database has no verifier key");
  }
  std::string vkey(vrows->Text(0));
  vrows.reset();
  auto parsed_vkey = NoteVerifier::Parse(vkey);
  if (!parsed_vkey.ok()) {
    return base::DataLossError("stored verifier key: " + parsed_vkey.status().message());
  }
  const NoteVerifier& verifier = *parsed_vkey;
  if (!dir.empty()) {
    std::ifstream in(dir + "/" + std::string(kLogVkeyFile));
    std::string line;
    if (in && std::getline(in, line) && line != vkey) {
      return base::DataLossError(dir + "/" + std::string(kLogVkeyFile) +
                                 " does not match the verifier key in the database");
    }
  }
  // The latest checkpoint as stored, not as this object remembers it.
  ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT size, note FROM ledger_checkpoints "
                                           "ORDER BY size DESC LIMIT 1"));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return base::DataLossError("no checkpoint stored");
  }
  std::string latest_note(rows->Text(1));
  rows.reset();
  auto latest = OpenCheckpoint(latest_note, verifier);
  if (!latest.ok()) return base::DataLossError("latest checkpoint: " + latest.status().message());
  uint64_t n = latest->checkpoint.size;
  report.entries = n;

  // Level 0, in parallel.
  uint64_t bundles = (n + kTileWidth - 1) / kTileWidth;
  int t = std::max(1, std::min<int>(threads, static_cast<int>(std::min<uint64_t>(bundles, 64))));
  store::Connection* shared = db_url.empty() ? conn : nullptr;
  if (shared != nullptr) t = 1;
  std::vector<Chunk> chunks(static_cast<size_t>(t));
  for (int i = 0; i < t; ++i) {
    chunks[static_cast<size_t>(i)].first = bundles * static_cast<uint64_t>(i) / static_cast<uint64_t>(t);
    chunks[static_cast<size_t>(i)].last =
        bundles * static_cast<uint64_t>(i + 1) / static_cast<uint64_t>(t);
  }
  if (bundles > 0) {
    std::vector<std::thread> workers;
    for (size_t i = 1; i < chunks.size(); ++i) {
      workers.emplace_back(VerifyLevel0, db_url, nullptr, n, &chunks[i]);
    }
    VerifyLevel0(db_url, shared, n, &chunks[0]);
    for (auto& w : workers) w.join();
  }
  std::vector<Hash> tops;
  for (Chunk& c : chunks) {
    RETURN_IF_ERROR(c.status);
    tops.insert(tops.end(), c.tops.begin(), c.tops.end());
  }
  report.hash_tiles = bundles;

  // Upper levels: each level's bottom rows are the roots of the full tiles below.
  for (int level = 1; (n >> (kTileHeight * level)) > 0; ++level) {
    uint64_t nodes = n >> (kTileHeight * level);
    if (tops.size() != nodes) {
      return base::InternalError("verify: level " + std::to_string(level) + " expects " +
                                 std::to_string(nodes) + " nodes, computed " +
                                 std::to_string(tops.size()));
    }
    uint64_t count = (nodes + kTileWidth - 1) / kTileWidth;
    ASSIGN_OR_RETURN(auto trows, conn->Query("SELECT id, width, hashes, \"inner\" FROM ledger_tiles "
                                              "WHERE id >= $1 AND id < $2 ORDER BY id",
                                              {store::Value(TileId(level, 0)),
                                               store::Value(TileId(level, count))}));
    std::vector<Hash> next;
    for (uint64_t i = 0; i < count; ++i) {
      uint32_t width = TileWidthAt(level, i, n);
      std::string name = TileName(level, i, width);
      if (!trows->Next()) {
        RETURN_IF_ERROR(trows->status());
        return base::DataLossError(name + ": hash tile missing");
      }
      if (trows->Int64(0) != TileId(level, i)) {
        return base::DataLossError(name + ": hash tile missing");
      }
      if (trows->Int64(1) != width) {
        return base::DataLossError(name + ": stored width " + std::to_string(trows->Int64(1)) +
                                   ", expected " + std::to_string(width));
      }
      Hash root;
      RETURN_IF_ERROR(CheckTile(level, i, width, trows->Blob(2), trows->Blob(3),
                                std::span<const Hash>(tops).subspan(i * kTileWidth, width),
                                "the root of", &root));
      if (width == kTileWidth) next.push_back(root);
      ++report.hash_tiles;
    }
    tops = std::move(next);
  }

  // Rows beyond the latest checkpoint would be data nobody signed.
  {
    ASSIGN_OR_RETURN(auto extra, conn->Query("SELECT id FROM ledger_bundles WHERE id >= $1 "
                                             "ORDER BY id LIMIT 1",
                                             {store::Value(static_cast<int64_t>(bundles))}));
    if (extra->Next()) {
      return base::DataLossError(
          FormatTilePath(TileCoord{true, 0, static_cast<uint64_t>(extra->Int64(0))}) +
          ": entry bundle beyond the latest checkpoint (size " + std::to_string(n) + ")");
    }
    RETURN_IF_ERROR(extra->status());
  }
  for (int level = 0; level < 8; ++level) {
    uint64_t nodes = n >> (kTileHeight * level);
    uint64_t count = (nodes + kTileWidth - 1) / kTileWidth;
    int64_t end = level == 7 ? INT64_MAX : TileId(level + 1, 0);
    ASSIGN_OR_RETURN(auto extra, conn->Query("SELECT id FROM ledger_tiles WHERE id >= $1 AND "
                                             "id < $2 ORDER BY id LIMIT 1",
                                             {store::Value(TileId(level, count)),
                                              store::Value(end)}));
    if (extra->Next()) {
      uint64_t index = static_cast<uint64_t>(extra->Int64(0)) & ((uint64_t{1} << kLevelShift) - 1);
      return base::DataLossError(TileName(level, index) +
                                 ": hash tile beyond the latest checkpoint (size " +
                                 std::to_string(n) + ")");
    }
    RETURN_IF_ERROR(extra->status());
  }

  // The stored tiles are now known to match the entries; a fresh read-only view computes
  // roots from them (and checks the latest checkpoint's root while opening).
  LogOptions ro;
  ro.read_only = true;
  auto view = dir.empty() ? Log::OpenIn(conn_ref, std::nullopt, ro) : Log::Open(dir, ro);
  if (!view.ok()) return base::DataLossError(view.status().message());
  ASSIGN_OR_RETURN(auto crows, conn->Query("SELECT size, note FROM ledger_checkpoints "
                                            "ORDER BY size"));
  while (crows->Next()) {
    auto size = static_cast<uint64_t>(crows->Int64(0));
    std::string what = "checkpoint at size " + std::to_string(size);
    auto cp = OpenCheckpoint(crows->Text(1), verifier);
    if (!cp.ok()) return base::DataLossError(what + ": " + cp.status().message());
    if (cp->checkpoint.size != size) {
      return base::DataLossError(what + ": the note says size " +
                                 std::to_string(cp->checkpoint.size));
    }
    if (size > n) return base::DataLossError(what + ": beyond the latest checkpoint");
    auto root = (*view)->RootAt(size);
    if (!root.ok()) return base::DataLossError(what + ": " + root.status().message());
    if (*root != cp->checkpoint.root) {
      return base::DataLossError(what + ": root does not match the tree");
    }
    ++report.checkpoints;
  }
  RETURN_IF_ERROR(crows->status());
  return report;
}

}  // namespace detente::ledger
