// Tests ledger/merkle.h and the known answers of tests/testdata/ledger/vectors.json
// (hashes, roots, node hashes, inclusion and consistency proofs, RFC 6962 examples).
#include "ledger/merkle.h"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "ledger/proof.h"
#include "testing/status_matchers.h"

namespace detente::ledger {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

boost::json::value LoadVectors() {
  std::ifstream in(std::string(DETENTE_TESTDATA) + "/ledger/vectors.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str());
}

Bytes Hex(std::string_view s) { return *base::HexDecode(s); }
Hash H(std::string_view hex) { return *HashFromHex(hex, "test"); }

std::vector<Hash> HashList(const boost::json::array& a) {
  std::vector<Hash> out;
  for (const auto& v : a) out.push_back(H(std::string_view(v.as_string())));
  return out;
}

class VectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v_ = LoadVectors().as_object();
    for (const auto& leaf : v_["leaves_hex"].as_array()) {
      Bytes data = Hex(std::string_view(leaf.as_string()));
      tree_.Append(HashLeaf(data));
    }
  }
  boost::json::object v_;
  MemoryTree tree_;
};

TEST_F(VectorsTest, HasherMatchesKnownAnswers) {
  for (const auto& c : v_["hasher"].as_array()) {
    const auto& o = c.as_object();
    std::string kind(o.at("kind").as_string());
    Hash want = H(std::string_view(o.at("want").as_string()));
    if (kind == "empty") {
      EXPECT_EQ(EmptyRoot(), want);
    } else if (kind == "leaf") {
      EXPECT_EQ(HashLeaf(Hex(std::string_view(o.at("input_hex").as_string()))), want);
    } else {
      ASSERT_EQ(kind, "node");
      EXPECT_EQ(HashChildrenRaw(Hex(std::string_view(o.at("left_hex").as_string())),
                                Hex(std::string_view(o.at("right_hex").as_string()))),
                want);
    }
  }
}

TEST_F(VectorsTest, RootsOfEveryPrefixMatch) {
  for (const auto& [size, root] : v_["roots"].as_object()) {
    uint64_t n = std::stoull(std::string(size));
    EXPECT_THAT(tree_.RootAt(n), ::detente::testing::IsOkAndHolds(
                                     H(std::string_view(root.as_string()))))
        << "size " << n;
    // The compact range agrees.
    CompactRange cr;
    for (uint64_t i = 0; i < n; ++i) cr.Append(*tree_.ReadNodes(std::vector<NodeId>{{0, i}})->data());
    EXPECT_EQ(cr.Root(), H(std::string_view(root.as_string()))) << "size " << n;
  }
}

TEST_F(VectorsTest, NodeHashesMatch) {
  const auto& levels = v_["node_hashes"].as_array();
  for (size_t l = 0; l < levels.size(); ++l) {
    const auto& row = levels[l].as_array();
    for (size_t i = 0; i < row.size(); ++i) {
      auto got = tree_.ReadNodes(std::vector<NodeId>{{static_cast<int>(l), i}});
      ASSERT_OK(got.status());
      EXPECT_EQ((*got)[0], H(std::string_view(row[i].as_string()))) << l << "/" << i;
    }
  }
}

TEST_F(VectorsTest, InclusionProofsMatchAndVerify) {
  for (const auto& c : v_["inclusion"].as_array()) {
    const auto& o = c.as_object();
    uint64_t size = static_cast<uint64_t>(o.at("size").as_int64());
    uint64_t index = static_cast<uint64_t>(o.at("index").as_int64());
    std::vector<Hash> want = HashList(o.at("proof").as_array());
    ASSERT_OK_AND_ASSIGN(auto got, tree_.InclusionProof(index, size));
    EXPECT_EQ(got, want) << index << "/" << size;
    ASSERT_OK_AND_ASSIGN(Hash root, tree_.RootAt(size));
    ASSERT_OK_AND_ASSIGN(auto leaf, tree_.ReadNodes(std::vector<NodeId>{{0, index}}));
    EXPECT_OK(VerifyInclusion(index, size, leaf[0], want, root));
  }
}

TEST_F(VectorsTest, ConsistencyProofsMatchAndVerify) {
  for (const auto& c : v_["consistency"].as_array()) {
    const auto& o = c.as_object();
    uint64_t s1 = static_cast<uint64_t>(o.at("size1").as_int64());
    uint64_t s2 = static_cast<uint64_t>(o.at("size2").as_int64());
    std::vector<Hash> want = HashList(o.at("proof").as_array());
    ASSERT_OK_AND_ASSIGN(auto got, tree_.ConsistencyProof(s1, s2));
    EXPECT_EQ(got, want) << s1 << "->" << s2;
    ASSERT_OK_AND_ASSIGN(Hash r1, tree_.RootAt(s1));
    ASSERT_OK_AND_ASSIGN(Hash r2, tree_.RootAt(s2));
    EXPECT_OK(VerifyConsistency(s1, s2, want, r1, r2));
  }
}

TEST_F(VectorsTest, Rfc6962ExampleTreeProofShapes) {
  const auto& s = v_["rfc6962_structural"].as_object();
  std::map<std::string, LeafRange> names;
  for (const auto& [name, range] : s.at("node_ranges").as_object()) {
    const auto& a = range.as_array();
    names[std::string(name)] = {static_cast<uint64_t>(a[0].as_int64()),
                                static_cast<uint64_t>(a[1].as_int64())};
  }
  uint64_t size = static_cast<uint64_t>(s.at("size").as_int64());
  auto ranges_of = [&](const boost::json::array& path) {
    std::vector<LeafRange> r;
    for (const auto& p : path) r.push_back(names.at(std::string(p.as_string())));
    return r;
  };
  for (const auto& c : s.at("inclusion").as_array()) {
    const auto& o = c.as_object();
    auto index = static_cast<uint64_t>(o.at("index").as_int64());
    EXPECT_THAT(InclusionProofRanges(index, size),
                ::detente::testing::IsOkAndHolds(ranges_of(o.at("path").as_array())))
        << "index " << index;
  }
  for (const auto& c : s.at("consistency").as_array()) {
    const auto& o = c.as_object();
    auto s1 = static_cast<uint64_t>(o.at("size1").as_int64());
    EXPECT_THAT(ConsistencyProofRanges(s1, size),
                ::detente::testing::IsOkAndHolds(ranges_of(o.at("path").as_array())))
        << "size1 " << s1;
  }
}

TEST(HashTest, HashesMustBe32Bytes) {
  Bytes short_hash(31, 0);
  EXPECT_THAT(HashFromBytes(short_hash, "root"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("root: hash must be 32 bytes, got 31")));
  EXPECT_THAT(HashFromHex("abcd", "proof[0]"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("proof[0]")));
  EXPECT_THAT(HashFromHex(std::string(64, 'g'), "leaf"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("leaf")));
}

TEST(HashTest, LeafAndNodePrefixesDiffer) {
  Hash a = HashLeaf(std::string_view("x"));
  Bytes node_input(64, 0);
  // A leaf whose data is 64 bytes never collides with the node over the same bytes.
  EXPECT_NE(HashLeaf(node_input), HashChildren(Hash{}, Hash{}));
  EXPECT_NE(a, Sha256(base::AsBytes(std::string_view("x"))));
}

TEST(CompactRangeTest, FromHashesNeedsOneHashPerSetBit) {
  EXPECT_THAT(CompactRange::FromHashes(5, {Hash{}}),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("needs 2 hashes, got 1")));
}

TEST(CompactRangeTest, RestoredRangeContinuesLikeTheOriginal) {
  CompactRange a;
  for (int i = 0; i < 37; ++i) a.Append(HashLeaf(std::to_string(i)));
  ASSERT_OK_AND_ASSIGN(CompactRange b, CompactRange::FromHashes(a.size(), a.hashes()));
  for (int i = 37; i < 100; ++i) {
    a.Append(HashLeaf(std::to_string(i)));
    b.Append(HashLeaf(std::to_string(i)));
    EXPECT_EQ(a.Root(), b.Root());
  }
}

TEST(RangeNodesTest, DecomposesAlignedRangesIntoPerfectSubtrees) {
  EXPECT_EQ(RangeNodes(0, 7), (std::vector<NodeId>{{2, 0}, {1, 2}, {0, 6}}));
  EXPECT_EQ(RangeNodes(8, 13), (std::vector<NodeId>{{2, 2}, {0, 12}}));
  EXPECT_EQ(RangeNodes(0, 1), (std::vector<NodeId>{{0, 0}}));
}

}  // namespace
}  // namespace detente::ledger
