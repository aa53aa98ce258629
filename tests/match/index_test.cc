// Tests for match/index.h: the exact-value hash index.
#include "match/index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace detente::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::vector<uint32_t> Find(const EqualityIndex& index, uint32_t path, const Value& v) {
  std::vector<uint32_t> out;
  KeyBytes key;
  if (!MakeKey(v, &key)) return out;
  index.Lookup(EqualityIndex::Hash(path, key), path, key, [&](uint32_t i) { out.push_back(i); });
  return out;
}

TEST(EqualityIndexTest, FindsAddedStringOnItsPathOnly) {
  EqualityIndex index;
  ASSERT_OK(index.Add(1, Value::String("evil.example.com"), 7));
  EXPECT_THAT(Find(index, 1, Value::String("evil.example.com")), ElementsAre(7u));
  EXPECT_THAT(Find(index, 2, Value::String("evil.example.com")), IsEmpty());
  EXPECT_THAT(Find(index, 1, Value::String("Evil.example.com")), IsEmpty());
}

std::string Numbered(int i) {
  std::string s = std::to_string(i);
  s.insert(s.begin(), 'v');
  return s;
}

// Compact() builds the Bloom filter that answers most absent values: every added value must
// still be found (no false negatives), at sizes from one filter word pair to many.
TEST(EqualityIndexTest, FilterAfterCompactHasNoFalseNegatives) {
  for (int n : {1, 10, 1000, 50000}) {
    EqualityIndex index;
    for (int i = 0; i < n; ++i) {
      ASSERT_OK(index.Add(static_cast<uint32_t>(i % 3), Value::String(Numbered(i)),
                          static_cast<uint32_t>(i)));
    }
    index.Compact();
    int absent_found = 0;
    for (int i = 0; i < n; ++i) {
      ASSERT_THAT(Find(index, static_cast<uint32_t>(i % 3), Value::String(Numbered(i))),
                  ElementsAre(static_cast<uint32_t>(i)))
          << n;
      absent_found += !Find(index, 5, Value::String(Numbered(i))).empty();
    }
    EXPECT_EQ(absent_found, 0);
  }
}

TEST(EqualityIndexTest, AddAfterCompactIsFound) {
  EqualityIndex index;
  ASSERT_OK(index.Add(1, Value::String("a.example"), 1));
  index.Compact();
  ASSERT_OK(index.Add(1, Value::String("b.example"), 2));  // drops the stale filter
  EXPECT_THAT(Find(index, 1, Value::String("a.example")), ElementsAre(1u));
  EXPECT_THAT(Find(index, 1, Value::String("b.example")), ElementsAre(2u));
  index.Compact();
  EXPECT_THAT(Find(index, 1, Value::String("b.example")), ElementsAre(2u));
  EXPECT_THAT(Find(index, 1, Value::String("c.example")), IsEmpty());
}

TEST(EqualityIndexTest, EmptyIndexFindsNothing) {
  EqualityIndex index;
  EXPECT_THAT(Find(index, 0, Value::String("x")), IsEmpty());
}

TEST(EqualityIndexTest, IntAndIntegralFloatAreTheSameNumber) {
  EqualityIndex index;
  ASSERT_OK(index.Add(3, Value::Int(443), 1));
  EXPECT_THAT(Find(index, 3, Value::Float(443.0)), ElementsAre(1u));
  EXPECT_THAT(Find(index, 3, Value::String("443")), IsEmpty());
  ASSERT_OK(index.Add(3, Value::Float(0.5), 2));
  EXPECT_THAT(Find(index, 3, Value::Float(0.5)), ElementsAre(2u));
  EXPECT_THAT(Find(index, 3, Value::Int(0)), IsEmpty());
}

TEST(EqualityIndexTest, BoolsAreNotNumbers) {
  EqualityIndex index;
  ASSERT_OK(index.Add(4, Value::Bool(true), 1));
  EXPECT_THAT(Find(index, 4, Value::Int(1)), IsEmpty());
  EXPECT_THAT(Find(index, 4, Value::Bool(true)), ElementsAre(1u));
}

TEST(EqualityIndexTest, OneValueForSeveralIndicatorsListsAllOnce) {
  EqualityIndex index;
  ASSERT_OK(index.Add(1, Value::String("a"), 1));
  ASSERT_OK(index.Add(1, Value::String("a"), 2));
  ASSERT_OK(index.Add(1, Value::String("a"), 2));
  ASSERT_OK(index.Add(1, Value::String("a"), 3));
  EXPECT_THAT(Find(index, 1, Value::String("a")), UnorderedElementsAre(1u, 2u, 3u));
  EXPECT_EQ(index.keys(), 1u);
}

TEST(EqualityIndexTest, SurvivesGrowthWithManyKeys) {
  EqualityIndex index;
  for (uint32_t i = 0; i < 50000; ++i) {
    std::string s = "host" + std::to_string(i) + ".example";
    ASSERT_OK(index.Add(i % 3, Value::String(s), i));
  }
  EXPECT_EQ(index.keys(), 50000u);
  for (uint32_t i = 0; i < 50000; i += 997) {
    std::string s = "host" + std::to_string(i) + ".example";
    EXPECT_THAT(Find(index, i % 3, Value::String(s)), ElementsAre(i));
    EXPECT_THAT(Find(index, (i + 1) % 3, Value::String(s)), IsEmpty());
  }
  // Bytes per key stay small: 8-byte slots at most 3/4 full, offsets, value bytes, indicator.
  index.Compact();
  EXPECT_LT(index.MemoryBytes() / index.keys(), 80u);
}

TEST(EqualityIndexTest, NullIsNeverKeyed) {
  EqualityIndex index;
  ASSERT_OK(index.Add(1, Value::Null(), 1));
  EXPECT_EQ(index.keys(), 0u);
}

}  // namespace
}  // namespace detente::match
