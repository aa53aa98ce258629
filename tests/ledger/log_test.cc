// Tests ledger/log.h: the persistent log on SQLite. Appends across tile boundaries checked
// against MemoryTree, recovery on reopen, a tile-based client (written here from the C2SP
// tlog-tiles spec) that rebuilds proofs from tiles alone, and one test per corruption mode
// that `Verify` must name.
#include "ledger/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "testing/status_matchers.h"

namespace detente::ledger {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;
using base::StatusCode;

std::string Entry(uint64_t i) { return "entry-" + std::to_string(i) + std::string(i % 7, 'x'); }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ledger_test_XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    path_ = p != nullptr ? p : "";
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class LogTest : public ::testing::Test {
 protected:
  std::string Dir() const { return dir_.path() + "/log"; }
  std::unique_ptr<Log> Create() {
    auto log = Log::Create(Dir(), "example.com/log", std::nullopt);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }
  // Appends entries [log->size(), n) in batches of `batch`, mirrored into tree_.
  void AppendUpTo(Log& log, uint64_t n, uint64_t batch) {
    while (log.size() < n) {
      std::vector<std::string> owned;
      for (uint64_t i = log.size(); i < std::min(n, log.size() + batch); ++i) {
        owned.push_back(Entry(i));
        tree_.Append(HashLeaf(owned.back()));
      }
      std::vector<std::string_view> views(owned.begin(), owned.end());
      ASSERT_OK_AND_ASSIGN(uint64_t first, log.Append(views));
      ASSERT_EQ(first + owned.size(), log.size());
    }
  }
  std::unique_ptr<store::Connection> Db() {
    store::Options so;
    so.url = "sqlite:" + Dir() + "/log.db";
    auto c = store::Connect(so);
    EXPECT_TRUE(c.ok()) << c.status();
    return std::move(*c);
  }

  TempDir dir_;
  MemoryTree tree_;
};

TEST_F(LogTest, NewLogHasSignedEmptyCheckpoint) {
  auto log = Create();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->size(), 0u);
  EXPECT_EQ(log->root(), EmptyRoot());
  ASSERT_OK_AND_ASSIGN(auto cp, OpenCheckpoint(log->checkpoint(), log->verifier()));
  EXPECT_EQ(cp.checkpoint.size, 0u);
  EXPECT_EQ(cp.checkpoint.origin, "example.com/log");
  auto mode = std::filesystem::status(Dir() + "/log.key").permissions();
  EXPECT_EQ(mode & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(LogTest, CreatingTwiceFails) {
  auto log = Create();
  EXPECT_THAT(Log::Create(Dir(), "example.com/log", std::nullopt),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("already holds a log")));
}

TEST_F(LogTest, OpeningAMissingLogFails) {
  EXPECT_THAT(Log::Open(Dir()), StatusIs(StatusCode::kNotFound, HasSubstr("no log here")));
}

TEST_F(LogTest, InvalidOriginIsRejected) {
  EXPECT_THAT(Log::Create(Dir(), "has space", std::nullopt),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("without spaces")));
}

TEST_F(LogTest, AppendsAcrossTileLevelsMatchTheMemoryTree) {
  auto log = Create();
  // Batches of odd sizes cross level-0, level-1 and (at 65536) level-2 tile boundaries.
  AppendUpTo(*log, 70000, 9973);
  EXPECT_EQ(log->root(), *tree_.RootAt(70000));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) {
    uint64_t size = 1 + rng() % 70000;
    uint64_t index = rng() % size;
    ASSERT_OK_AND_ASSIGN(auto p, log->ProveInclusion(index, size));
    EXPECT_EQ(p.proof, *tree_.InclusionProof(index, size)) << index << "/" << size;
    EXPECT_EQ(p.root, *tree_.RootAt(size));
    EXPECT_EQ(p.leaf_hash, HashLeaf(Entry(index)));
    uint64_t size1 = rng() % (size + 1);
    ASSERT_OK_AND_ASSIGN(auto c, log->ProveConsistency(size1, size));
    EXPECT_EQ(c.proof, *tree_.ConsistencyProof(size1, size)) << size1 << "->" << size;
    EXPECT_OK(VerifyConsistency(size1, size, c.proof, c.root1, c.root2));
  }
  EXPECT_THAT(log->ReadEntry(65537), ::detente::testing::IsOkAndHolds(Entry(65537)));
}

TEST_F(LogTest, ReopenedLogContinuesWhereItStopped) {
  {
    auto log = Create();
    AppendUpTo(*log, 1000, 333);
  }
  ASSERT_OK_AND_ASSIGN(auto log, Log::Open(Dir()));
  EXPECT_EQ(log->size(), 1000u);
  EXPECT_EQ(log->root(), *tree_.RootAt(1000));
  AppendUpTo(*log, 1500, 77);
  EXPECT_EQ(log->root(), *tree_.RootAt(1500));
  ASSERT_OK_AND_ASSIGN(auto cp, OpenCheckpoint(log->checkpoint(), log->verifier()));
  EXPECT_EQ(cp.checkpoint.size, 1500u);
  EXPECT_EQ(cp.checkpoint.root, *tree_.RootAt(1500));
  ASSERT_OK_AND_ASSIGN(auto report, log->Verify(2));
  EXPECT_EQ(report.entries, 1500u);
}

TEST_F(LogTest, OversizedEntryIsRejectedAndNothingIsAppended) {
  auto log = Create();
  std::string big(70000, 'a');
  std::vector<std::string_view> batch = {"ok", big};
  EXPECT_THAT(log->Append(batch),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("entry 1 of the batch")));
  EXPECT_EQ(log->size(), 0u);
}

TEST_F(LogTest, ReadOnlyLogRefusesAppends) {
  { auto log = Create(); }
  LogOptions ro;
  ro.read_only = true;
  ASSERT_OK_AND_ASSIGN(auto log, Log::Open(Dir(), ro));
  std::vector<std::string_view> batch = {"x"};
  EXPECT_THAT(log->Append(batch), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("read-only")));
}

TEST_F(LogTest, SecondAppenderIsRefusedAndKeepsItsState) {
  auto a = Create();
  ASSERT_OK_AND_ASSIGN(auto b, Log::Open(Dir()));
  std::vector<std::string_view> batch = {"x", "y"};
  ASSERT_OK(a->Append(batch).status());
  Hash before = b->root();
  EXPECT_THAT(b->Append(batch), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("grew under")));
  EXPECT_EQ(b->size(), 0u);
  EXPECT_EQ(b->root(), before);
  ASSERT_OK_AND_ASSIGN(auto report, a->Verify(1));
  EXPECT_EQ(report.entries, 2u);
}

TEST_F(LogTest, ProofRequestsBeyondTheTreeAreOutOfRange) {
  auto log = Create();
  AppendUpTo(*log, 10, 10);
  EXPECT_THAT(log->ProveInclusion(10, 10), StatusIs(StatusCode::kOutOfRange, HasSubstr("not below")));
  EXPECT_THAT(log->ProveInclusion(0, 11), StatusIs(StatusCode::kOutOfRange, HasSubstr("exceeds")));
  EXPECT_THAT(log->ProveConsistency(5, 11), StatusIs(StatusCode::kOutOfRange, HasSubstr("exceeds")));
  EXPECT_THAT(log->ProveConsistency(6, 5), StatusIs(StatusCode::kOutOfRange, HasSubstr("exceeds size2")));
  EXPECT_THAT(log->ReadEntry(10), StatusIs(StatusCode::kOutOfRange, HasSubstr("beyond")));
}

// A client that knows only a checkpoint (size, root) and fetches tiles by path, per C2SP
// tlog-tiles: a node at tree level h, index j lives in tile level h/8, tile j >> (8 - h%8),
// as the perfect subtree over hashes [pos << (h%8), (pos+1) << (h%8)) of its bottom row.
class TileClient final : public NodeReader {
 public:
  TileClient(Log* log, uint64_t size) : log_(log), size_(size) {}
  Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> nodes) override {
    std::vector<Hash> out;
    for (const NodeId& id : nodes) {
      int level = id.level / kTileHeight;
      int k = id.level % kTileHeight;
      uint64_t tile = id.index >> (kTileHeight - k);
      uint64_t pos = id.index & ((uint64_t{1} << (kTileHeight - k)) - 1);
      uint32_t width = TileWidthAt(level, tile, size_);
      std::string path = FormatTilePath(TileCoord{false, level, tile, width});
      ASSIGN_OR_RETURN(TileCoord coord, ParseTilePath(path));
      ASSIGN_OR_RETURN(Bytes data, log_->ReadTile(coord));
      ++fetches;
      if (data.size() != width * kHashSize) return base::DataLossError(path + ": wrong size");
      std::vector<Hash> row;
      for (uint64_t i = pos << k; i < (pos + 1) << k; ++i) {
        if (i >= width) return base::DataLossError(path + ": node not complete");
        row.push_back(HashAt(data, i));
      }
      while (row.size() > 1) {
        std::vector<Hash> up;
        for (size_t i = 0; i < row.size(); i += 2) up.push_back(HashChildren(row[i], row[i + 1]));
        row = std::move(up);
      }
      out.push_back(row[0]);
    }
    return out;
  }
  int fetches = 0;

 private:
  Log* log_;
  uint64_t size_;
};

TEST_F(LogTest, TileClientRebuildsProofsFromTilesAlone) {
  auto log = Create();
  AppendUpTo(*log, 66000, 20000);
  ASSERT_OK_AND_ASSIGN(auto cp, OpenCheckpoint(log->checkpoint(), log->verifier()));
  uint64_t n = cp.checkpoint.size;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50; ++i) {
    uint64_t index = rng() % n;
    TileClient client(log.get(), n);
    ASSERT_OK_AND_ASSIGN(auto ranges, InclusionProofRanges(index, n));
    ASSERT_OK_AND_ASSIGN(auto proof, HashRanges(ranges, client));
    // The leaf hash from the entry bundle, the root from the checkpoint.
    uint64_t bundle = index / kTileWidth;
    ASSERT_OK_AND_ASSIGN(Bytes data, log->ReadTile(TileCoord{true, 0, bundle,
                                                             TileWidthAt(0, bundle, n)}));
    ASSERT_OK_AND_ASSIGN(auto entries, ParseEntryBundle(data));
    Hash leaf = HashLeaf(entries[index % kTileWidth]);
    EXPECT_OK(VerifyInclusion(index, n, leaf, proof, cp.checkpoint.root)) << index;
    uint64_t size1 = 1 + rng() % n;
    ASSERT_OK_AND_ASSIGN(auto cranges, ConsistencyProofRanges(size1, n));
    ASSERT_OK_AND_ASSIGN(auto cproof, HashRanges(cranges, client));
    ASSERT_OK_AND_ASSIGN(Hash root1, log->RootAt(size1));
    EXPECT_OK(VerifyConsistency(size1, n, cproof, root1, cp.checkpoint.root)) << size1;
  }
}

TEST_F(LogTest, PartialTilesAreServedAtAnySmallerWidth) {
  auto log = Create();
  AppendUpTo(*log, 300, 300);
  ASSERT_OK_AND_ASSIGN(Bytes full, log->ReadTile(*ParseTilePath("tile/0/000")));
  ASSERT_OK_AND_ASSIGN(Bytes partial, log->ReadTile(*ParseTilePath("tile/0/000.p/10")));
  EXPECT_EQ(partial, Bytes(full.begin(), full.begin() + 10 * kHashSize));
  ASSERT_OK_AND_ASSIGN(Bytes right, log->ReadTile(*ParseTilePath("tile/0/001.p/44")));
  EXPECT_EQ(right.size(), 44 * kHashSize);
  EXPECT_THAT(log->ReadTile(*ParseTilePath("tile/0/001")),
              StatusIs(StatusCode::kNotFound, HasSubstr("beyond the log size 300")));
  EXPECT_THAT(log->ReadTile(*ParseTilePath("tile/0/001.p/45")),
              StatusIs(StatusCode::kNotFound, HasSubstr("beyond")));
  ASSERT_OK_AND_ASSIGN(Bytes top, log->ReadTile(*ParseTilePath("tile/1/000.p/1")));
  EXPECT_EQ(HashAt(top, 0), RootOfLeafHashes(std::span<const Hash>(
                                reinterpret_cast<const Hash*>(full.data()), kTileWidth)));
  ASSERT_OK_AND_ASSIGN(Bytes bundle, log->ReadTile(*ParseTilePath("tile/entries/001.p/2")));
  ASSERT_OK_AND_ASSIGN(auto entries, ParseEntryBundle(bundle));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(base::AsChars(entries[1]), Entry(257));
}

// --- corruption: each mode has its own test, and Verify names what and where -------------

class CorruptLogTest : public LogTest {
 protected:
  void SetUp() override {
    auto log = Create();
    AppendUpTo(*log, 700, 100);
  }
  Status VerifyAll() { return Log::VerifyDirectory(Dir(), 2).status(); }
  Bytes ReadBlob(std::string_view sql, int64_t id) {
    auto db = Db();
    auto rows = db->Query(sql, {store::Value(id)});
    EXPECT_TRUE(rows.ok());
    EXPECT_TRUE((*rows)->Next());
    auto b = (*rows)->Blob(0);
    return Bytes(b.begin(), b.end());
  }
  void Exec(std::string_view sql, std::initializer_list<store::Value> params) {
    auto db = Db();
    ASSERT_OK(db->Exec(sql, params).status());
  }
};

TEST_F(CorruptLogTest, IntactLogVerifies) { EXPECT_OK(VerifyAll()); }

TEST_F(CorruptLogTest, ChangedEntryBytesAreNamedByIndex) {
  Bytes data = ReadBlob("SELECT data FROM ledger_bundles WHERE id = $1", 1);
  data[2] ^= 1;  // first byte of entry 256
  Exec("UPDATE ledger_bundles SET data = $1 WHERE id = 1", {store::Value(data)});
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss,
                                    HasSubstr("entry 256: stored leaf hash does not match entry bytes")));
}

TEST_F(CorruptLogTest, TruncatedEntryBundleIsReported) {
  Bytes data = ReadBlob("SELECT data FROM ledger_bundles WHERE id = $1", 0);
  data.pop_back();
  Exec("UPDATE ledger_bundles SET data = $1 WHERE id = 0", {store::Value(data)});
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss, HasSubstr("tile/entries/000: entry bundle: entry 255 truncated")));
}

TEST_F(CorruptLogTest, ChangedInnerTileHashIsReported) {
  Bytes inner = ReadBlob("SELECT inner FROM ledger_tiles WHERE id = $1", 1);
  inner[40] ^= 1;  // level 1, index 1
  Exec("UPDATE ledger_tiles SET inner = $1 WHERE id = 1", {store::Value(inner)});
  EXPECT_THAT(VerifyAll(),
              StatusIs(StatusCode::kDataLoss,
                       HasSubstr("tile/0/001: stored hash at in-tile level 1 index 1 does not match")));
}

TEST_F(CorruptLogTest, ChangedUpperLevelHashIsReported) {
  int64_t id = int64_t{1} << 56;  // tile/1/000
  Bytes hashes = ReadBlob("SELECT hashes FROM ledger_tiles WHERE id = $1", id);
  hashes[0] ^= 1;
  Exec("UPDATE ledger_tiles SET hashes = $1 WHERE id = $2", {store::Value(hashes), store::Value(id)});
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss,
                                    HasSubstr("hash 0 does not match the root of tile/0/000")));
}

TEST_F(CorruptLogTest, MissingTileIsReported) {
  Exec("DELETE FROM ledger_tiles WHERE id = $1", {store::Value(int64_t{0})});
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss, HasSubstr("tile/0/000: hash tile missing")));
}

TEST_F(CorruptLogTest, MissingEntryBundleIsReported) {
  Exec("DELETE FROM ledger_bundles WHERE id = $1", {store::Value(int64_t{1})});
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss, HasSubstr("tile/entries/001: entry bundle missing")));
}

TEST_F(CorruptLogTest, RowsBeyondTheCheckpointAreReported) {
  Exec("INSERT INTO ledger_bundles (id, width, data) VALUES (9, 1, $1)",
       {store::Value(Bytes{0, 1, 'x'})});
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss,
                                    HasSubstr("tile/entries/009: entry bundle beyond the latest checkpoint")));
}

TEST_F(CorruptLogTest, TileRowsBeyondTheCheckpointAreReported) {
  Exec("INSERT INTO ledger_tiles (id, width, hashes, inner) VALUES (5, 1, $1, $2)",
       {store::Value(Bytes(32, 0)), store::Value(Bytes())});
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss,
                                    HasSubstr("tile/0/005: hash tile beyond the latest checkpoint")));
}

TEST_F(CorruptLogTest, ForgedCheckpointSignatureIsReported) {
  auto db = Db();
  auto rows = *db->Query("SELECT note FROM ledger_checkpoints WHERE size = 300");
  ASSERT_TRUE(rows->Next());
  std::string note(rows->Text(0));
  rows.reset();
  note[note.size() - 5] = note[note.size() - 5] == 'A' ? 'B' : 'A';
  ASSERT_OK(db->Exec("UPDATE ledger_checkpoints SET note = $1 WHERE size = 300",
                     {store::Value(note)}).status());
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss, HasSubstr("checkpoint at size 300")));
}

TEST_F(CorruptLogTest, CheckpointWithWrongRootIsReported) {
  // A validly signed checkpoint for size 300 with the root of size 299.
  auto key = crypto::SigningKey::LoadFile(Dir() + "/log.key");
  ASSERT_OK(key.status());
  ASSERT_OK_AND_ASSIGN(auto signer, NoteSigner::Create("example.com/log", kNoteTypeEd25519, *key));
  Checkpoint cp{"example.com/log", 300, *tree_.RootAt(299), {}};
  ASSERT_OK_AND_ASSIGN(std::string note, SignCheckpoint(cp, signer));
  Exec("UPDATE ledger_checkpoints SET note = $1 WHERE size = 300", {store::Value(note)});
  EXPECT_THAT(VerifyAll(), StatusIs(StatusCode::kDataLoss,
                                    HasSubstr("checkpoint at size 300: root does not match the tree")));
}

TEST_F(CorruptLogTest, RightEdgeTileNotMatchingCheckpointFailsOpen) {
  Bytes hashes = ReadBlob("SELECT hashes FROM ledger_tiles WHERE id = $1", 2);
  hashes[0] ^= 1;
  Exec("UPDATE ledger_tiles SET hashes = $1 WHERE id = 2", {store::Value(hashes)});
  EXPECT_THAT(Log::Open(Dir()), StatusIs(StatusCode::kDataLoss,
                                         HasSubstr("do not match the latest checkpoint")));
}

TEST_F(CorruptLogTest, SwappedVerifierKeyFailsOpen) {
  Exec("UPDATE ledger_meta SET value = $1 WHERE key = 'vkey'",
       {store::Value(NoteSigner::Create("example.com/log", kNoteTypeEd25519,
                                        crypto::SigningKey::Generate())
                         ->verifier()
                         .ToText())});
  EXPECT_THAT(Log::Open(Dir()), StatusIs(StatusCode::kDataLoss, HasSubstr("log.vkey does not match")));
}

}  // namespace
}  // namespace detente::ledger
