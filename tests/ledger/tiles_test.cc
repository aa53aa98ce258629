// Tests ledger/tiles.h: tile path formatting and parsing (a table), entry bundles, in-tile
// hashes. Tile-based proof reconstruction against a real log is in log_test.cc.
#include "ledger/tiles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace detente::ledger {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

TEST(TilePathTest, FormatsAndParsesTheSpecExamples) {
  struct Case {
    TileCoord coord;
    std::string path;
  };
  std::vector<Case> cases = {
      {{false, 0, 1234067, 256}, "tile/0/x001/x234/067"},
      {{false, 0, 0, 256}, "tile/0/000"},
      {{false, 1, 5, 3}, "tile/1/005.p/3"},
      {{false, 2, 1000, 255}, "tile/2/x001/000.p/255"},
      {{true, 0, 7, 256}, "tile/entries/007"},
      {{true, 0, 1234067, 12}, "tile/entries/x001/x234/067.p/12"},
      {{false, 63, 18446744073709551615ull, 256}, "tile/63/x018/x446/x744/x073/x709/x551/615"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatTilePath(c.coord), c.path);
    EXPECT_THAT(ParseTilePath(c.path), ::detente::testing::IsOkAndHolds(c.coord)) << c.path;
  }
}

TEST(TilePathTest, RejectsNonCanonicalPaths) {
  struct Case {
    std::string path;
    std::string error;
  };
  std::vector<Case> cases = {
      {"tiles/0/000", "must start with"},
      {"tile/0", "must start with"},
      {"tile/00/000", "level has a leading zero"},
      {"tile/64/000", "level out of range"},
      {"tile/0/1", "three digits"},
      {"tile/0/001/234", "must start with 'x'"},
      {"tile/0/x000/001", "leading zero group"},
      {"tile/0/000.p/0", "width must be 1..255"},
      {"tile/0/000.p/256", "width out of range"},
      {"tile/0/000.p/07", "width has a leading zero"},
      {"tile/0/x018/x446/x744/x073/x709/x551/616", "index out of range"},
      {"tile/0/x001/x002/x003/x004/x005/x006/x007/008", "too many groups"},
      {"tile/a/000", "level is not a number"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseTilePath(c.path),
                StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.path;
  }
}

TEST(TileWidthTest, WidthFollowsTreeSize) {
  EXPECT_EQ(TileWidthAt(0, 0, 0), 0u);
  EXPECT_EQ(TileWidthAt(0, 0, 5), 5u);
  EXPECT_EQ(TileWidthAt(0, 0, 300), 256u);
  EXPECT_EQ(TileWidthAt(0, 1, 300), 44u);
  EXPECT_EQ(TileWidthAt(1, 0, 300), 1u);
  EXPECT_EQ(TileWidthAt(1, 0, 255), 0u);
  EXPECT_EQ(TileWidthAt(8, 0, UINT64_MAX), 0u);
}

TEST(EntryBundleTest, RoundTripsEntriesWithLengthPrefixes) {
  Bytes bundle;
  AppendBundleEntry(&bundle, base::AsBytes(std::string_view("ab")));
  AppendBundleEntry(&bundle, base::AsBytes(std::string_view("")));
  AppendBundleEntry(&bundle, Bytes(300, 7));
  EXPECT_EQ(bundle[0], 0);
  EXPECT_EQ(bundle[1], 2);
  ASSERT_OK_AND_ASSIGN(auto entries, ParseEntryBundle(bundle));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(base::AsChars(entries[0]), "ab");
  EXPECT_TRUE(entries[1].empty());
  EXPECT_EQ(entries[2].size(), 300u);
}

TEST(EntryBundleTest, TruncatedBundlesAreRejected) {
  Bytes bundle;
  AppendBundleEntry(&bundle, base::AsBytes(std::string_view("abc")));
  bundle.pop_back();
  EXPECT_THAT(ParseEntryBundle(bundle),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("entry 0 truncated")));
  Bytes one = {0};
  EXPECT_THAT(ParseEntryBundle(one, base::StatusCode::kDataLoss),
              StatusIs(base::StatusCode::kDataLoss, HasSubstr("length truncated")));
}

TEST(TileInnerTest, InnerHashesAreTheCompleteNodesAboveTheBottomRow) {
  std::vector<Hash> bottom;
  for (int i = 0; i < 6; ++i) bottom.push_back(HashLeaf(std::to_string(i)));
  Bytes inner = TileInnerHashes(bottom);
  // 6 -> 3 at level 1, 1 at level 2, 0 above.
  ASSERT_EQ(inner.size(), 4 * kHashSize);
  EXPECT_EQ(HashAt(inner, 0), HashChildren(bottom[0], bottom[1]));
  EXPECT_EQ(HashAt(inner, TileInnerOffset(6, 2)),
            HashChildren(HashChildren(bottom[0], bottom[1]), HashChildren(bottom[2], bottom[3])));
  EXPECT_EQ(TileInnerOffset(256, 8), 254u);
}

}  // namespace
}  // namespace detente::ledger
