// Tests for match/cidr_trie.h: address parsing and CIDR containment, including /0, /32, /128
// and IPv4-mapped IPv6 addresses.
#include "match/cidr_trie.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace detente::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

IpPrefix P(const std::string& s) {
  IpPrefix p;
  EXPECT_TRUE(ParseIpPrefix(s, &p)) << s;
  return p;
}

std::vector<uint32_t> Containing(const CidrTrie& t, const std::string& s) {
  std::vector<uint32_t> out;
  t.ForEachContaining(P(s), [&](uint32_t i) { out.push_back(i); });
  return out;
}

struct ParseCase {
  const char* text;
  bool ok;
  int length;
};

TEST(ParseIpPrefixTest, Table) {
  const ParseCase cases[] = {
      {"10.0.0.1", true, 32},       {"10.0.0.0/8", true, 8},      {"0.0.0.0/0", true, 0},
      {"255.255.255.255", true, 32}, {"256.0.0.1", false, 0},     {"10.0.0", false, 0},
      {"10.0.0.1/33", false, 0},    {"010.0.0.1", false, 0},      {"10.0.0.1/", false, 0},
      {"::", true, 128},            {"::1", true, 128},           {"2001:db8::/32", true, 32},
      {"2001:db8::1/129", false, 0}, {"::ffff:1.2.3.4", true, 128}, {"1:2:3:4:5:6:7:8", true, 128},
      {"1:2:3:4:5:6:7:8:9", false, 0}, {"1::2::3", false, 0},     {"fe80::1%eth0", false, 0},
      {"", false, 0},               {"example.com", false, 0},    {"1:2:3:4:5:6:7::", true, 128},
  };
  for (const auto& c : cases) {
    IpPrefix p;
    EXPECT_EQ(ParseIpPrefix(c.text, &p), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(p.length, c.length) << c.text;
    }
  }
}

TEST(ParseIpPrefixTest, HostBitsAreCleared) {
  IpPrefix a = P("11.22.41.123/20");
  IpPrefix b = P("11.22.32.0/20");
  EXPECT_EQ(a.bytes, b.bytes);
}

// MayContainV4Text is a pre-check: it may say "maybe" for anything, but never "no" for a text
// that ParseIpPrefix accepts and some block contains.
TEST(CidrTrieTest, V4TextPrecheckNeverHidesAContainingBlock) {
  std::mt19937 rng(11);
  auto octet = [&] { return std::to_string(rng() % 256); };
  for (int round = 0; round < 20; ++round) {
    CidrTrie trie;
    for (int b = 0; b < 1 + round * 3; ++b) {
      IpPrefix p;
      std::string text = octet() + "." + octet() + "." + octet() + ".0/" +
                         std::to_string(rng() % 33);
      ASSERT_TRUE(ParseIpPrefix(text, &p)) << text;
      trie.Insert(p, static_cast<uint32_t>(b));
    }
    trie.Finalize();
    for (int i = 0; i < 2000; ++i) {
      std::string text = octet() + "." + octet() + "." + octet() + "." + octet();
      if (i % 7 == 0) {
        text.push_back('/');
        text.append(std::to_string(rng() % 33));
      }
      if (i % 11 == 0) {  // a leading zero: not an address
        std::string zero("0");
        zero.append(text);
        text.swap(zero);
      }
      IpPrefix p;
      if (!ParseIpPrefix(text, &p)) continue;
      bool found = false;
      trie.ForEachContaining(p, [&](uint32_t) { found = true; });
      if (found) {
        EXPECT_TRUE(trie.MayContainV4Text(text)) << text;
      }
    }
  }
  CidrTrie empty;
  EXPECT_FALSE(empty.MayContainV4Text("10.1.2.3"));
  EXPECT_TRUE(empty.MayContainV4Text("2001:db8::1"));  // not IPv4 text: the parser decides
}

TEST(CidrTrieTest, FindsEveryContainingBlock) {
  CidrTrie t;
  t.Insert(P("10.0.0.0/8"), 1);
  t.Insert(P("10.1.0.0/16"), 2);
  t.Insert(P("10.1.2.3"), 3);
  t.Insert(P("192.168.0.0/16"), 4);
  EXPECT_THAT(Containing(t, "10.1.2.3"), UnorderedElementsAre(1u, 2u, 3u));
  EXPECT_THAT(Containing(t, "10.1.2.4"), UnorderedElementsAre(1u, 2u));
  EXPECT_THAT(Containing(t, "10.2.0.1"), ElementsAre(1u));
  EXPECT_THAT(Containing(t, "11.0.0.1"), IsEmpty());
}

TEST(CidrTrieTest, SlashZeroContainsEveryAddressOfItsFamily) {
  CidrTrie t;
  t.Insert(P("0.0.0.0/0"), 1);
  t.Insert(P("::/0"), 2);
  EXPECT_THAT(Containing(t, "203.0.113.1"), ElementsAre(1u));
  EXPECT_THAT(Containing(t, "2001:db8::1"), ElementsAre(2u));
}

TEST(CidrTrieTest, Slash32AndSlash128MatchOnlyThatAddress) {
  CidrTrie t;
  t.Insert(P("192.0.2.1/32"), 1);
  t.Insert(P("2001:db8::1/128"), 2);
  EXPECT_THAT(Containing(t, "192.0.2.1"), ElementsAre(1u));
  EXPECT_THAT(Containing(t, "192.0.2.0"), IsEmpty());
  EXPECT_THAT(Containing(t, "2001:db8::1"), ElementsAre(2u));
  EXPECT_THAT(Containing(t, "2001:db8::2"), IsEmpty());
}

TEST(CidrTrieTest, AnEventBlockMatchesOnlyBlocksThatContainIt) {
  CidrTrie t;
  t.Insert(P("10.0.0.0/8"), 1);
  t.Insert(P("10.1.2.0/24"), 2);
  // 10.1.0.0/16 is a subset of 10/8 but not of 10.1.2/24.
  EXPECT_THAT(Containing(t, "10.1.0.0/16"), ElementsAre(1u));
}

TEST(CidrTrieTest, WithoutMappingFamiliesStayApart) {
  CidrTrie t;
  t.Insert(P("10.0.0.0/8"), 1);
  t.Insert(P("::/0"), 2);
  EXPECT_THAT(Containing(t, "::ffff:10.9.8.7"), ElementsAre(2u));
  EXPECT_THAT(Containing(t, "10.9.8.7"), ElementsAre(1u));
}

TEST(CidrTrieTest, Ipv4MappedAddressMatchesIpv4BlocksAndViceVersa) {
  CidrTrie t(/*map_ipv4=*/true);
  t.Insert(P("10.0.0.0/8"), 1);
  t.Insert(P("::ffff:192.0.2.0/120"), 2);
  EXPECT_THAT(Containing(t, "::ffff:10.9.8.7"), ElementsAre(1u));
  EXPECT_THAT(Containing(t, "192.0.2.9"), ElementsAre(2u));
  EXPECT_THAT(Containing(t, "::10.9.8.7"), IsEmpty());  // IPv4-compatible, not mapped
}

TEST(CidrTrieTest, FinalizedTrieGivesTheSameAnswers) {
  for (bool with_short : {false, true}) {
    CidrTrie t;
    t.Insert(P("0.0.0.0/0"), 1);
    t.Insert(P("10.0.0.0/8"), 2);
    t.Insert(P("10.1.2.0/24"), 3);
    t.Insert(P("2001:db8::/32"), 4);
    if (with_short) t.Insert(P("8.0.0.0/5"), 5);
    t.Finalize();
    std::vector<uint32_t> a = {1, 2, 3}, b = {1};
    if (with_short) {
      a.push_back(5);
      b.push_back(5);
    }
    EXPECT_THAT(Containing(t, "10.1.2.3"), ::testing::UnorderedElementsAreArray(a));
    EXPECT_THAT(Containing(t, "11.1.2.3"), ::testing::UnorderedElementsAreArray(b));
    EXPECT_THAT(Containing(t, "2001:db8::5"), ElementsAre(4u));
    EXPECT_THAT(Containing(t, "2001:db9::5"), IsEmpty());
    EXPECT_THAT(Containing(t, "10.0.0.0/4"), ElementsAre(1u));  // shorter than the jump
  }
}

TEST(CidrTrieTest, DuplicateInsertIsCountedOnce) {
  CidrTrie t;
  t.Insert(P("10.0.0.0/8"), 1);
  t.Insert(P("10.9.0.0/8"), 1);  // same block after clearing host bits
  EXPECT_EQ(t.size(), 1u);
  EXPECT_THAT(Containing(t, "10.0.0.1"), ElementsAre(1u));
}

}  // namespace
}  // namespace detente::match
