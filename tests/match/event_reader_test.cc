// Tests for match/event_reader.h: Zeek (each log type, with and without _path, mixed),
// Suricata EVE (alert, dns, http, tls, fileinfo, flow), STIX bundles, and hostile input.
#include "match/event_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "match/cidr_trie.h"
#include "match/test_util.h"
#include "pattern/pattern.h"
#include "testing/status_matchers.h"

namespace detente::match {
namespace {

using ::detente::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using testing::Dump;
using testing::Lines;
using testing::ReadTestdata;

class EventReaderTest : public ::testing::Test {
 protected:
  EventReaderTest() {
    for (const char* p : {"ipv4-addr:value", "domain-name:value", "url:value",
                          "network-traffic:src_ref.value", "file:hashes.'SHA-256'"}) {
      paths_.Intern(p);
    }
    reader_ = std::make_unique<EventReader>(paths_);
  }

  // Reads one line the way StreamMatcher does: with readable padding after it.
  base::Status Read(const std::string& line, EventFormat format = EventFormat::kAuto) {
    buffer_.assign(line.begin(), line.end());
    buffer_.resize(line.size() + 64, '\0');
    return reader_->ReadFlat(std::string_view(buffer_.data(), line.size()), format, &obs_);
  }

  std::vector<std::string> ReadDump(const std::string& line,
                                    EventFormat format = EventFormat::kAuto) {
    base::Status s = Read(line, format);
    EXPECT_TRUE(s.ok()) << s;
    return Dump(obs_);
  }

  PathRegistry paths_;
  std::unique_ptr<EventReader> reader_;
  std::vector<char> buffer_;
  Observation obs_;
};

TEST_F(EventReaderTest, ZeekConnMapsEndpointsPortsProtocolsAndCounts) {
  auto lines = Lines(ReadTestdata("zeek_conn.log"));
  auto d = ReadDump(lines[0]);
  EXPECT_THAT(d, Contains("ipv4-addr:value=10.0.0.5"));
  EXPECT_THAT(d, Contains("ipv4-addr:value=198.51.100.7"));
  EXPECT_THAT(d, Contains("network-traffic:src_ref->ipv4-addr"));
  EXPECT_THAT(d, Contains("~network-traffic:src_ref.value=10.0.0.5"));
  EXPECT_THAT(d, Contains("~network-traffic:dst_ref.value=198.51.100.7"));
  EXPECT_THAT(d, Contains("network-traffic:src_port=49152"));
  EXPECT_THAT(d, Contains("network-traffic:dst_port=443"));
  EXPECT_THAT(d, Contains("network-traffic:protocols[*]=tcp"));
  EXPECT_THAT(d, Contains("network-traffic:protocols[*]=ssl"));
  EXPECT_THAT(d, Contains("network-traffic:src_byte_count=512"));
  EXPECT_THAT(d, Contains("network-traffic:dst_packets=8"));
  EXPECT_TRUE(obs_.first_observed.valid);
  EXPECT_EQ(FormatStixTime(obs_.first_observed), "2023-11-14T22:13:20.123456Z");
}

TEST_F(EventReaderTest, ZeekIpv6EndpointsBecomeIpv6Addr) {
  auto d = ReadDump(Lines(ReadTestdata("zeek_conn.log"))[1]);
  EXPECT_THAT(d, Contains("ipv6-addr:value=2001:db8::1"));
  EXPECT_THAT(d, Contains("~network-traffic:dst_ref.value=2001:db8::fb"));
  EXPECT_THAT(d, Not(Contains(::testing::StartsWith("ipv4-addr"))));
}

TEST_F(EventReaderTest, IndexedPathsOnlyKeepsEveryObjectButOnlyIndexedProperties) {
  EventReader lean(paths_, /*indexed_paths_only=*/true);
  std::string line = Lines(ReadTestdata("zeek_conn.log"))[0];
  buffer_.assign(line.begin(), line.end());
  buffer_.resize(line.size() + 64, '\0');
  ASSERT_OK(lean.ReadFlat(std::string_view(buffer_.data(), line.size()), EventFormat::kAuto,
                          &obs_));
  EXPECT_THAT(Dump(obs_), UnorderedElementsAre("ipv4-addr:value=10.0.0.5",
                                               "ipv4-addr:value=198.51.100.7",
                                               "network-traffic:src_ref->ipv4-addr",
                                               "network-traffic:dst_ref->ipv4-addr",
                                               "~network-traffic:src_ref.value=10.0.0.5"));
  EXPECT_EQ(obs_.objects().size(), 3u);
  EXPECT_EQ(FormatStixTime(obs_.first_observed), "2023-11-14T22:13:20.123456Z");
}

TEST_F(EventReaderTest, IndexedPathsOnlyStillInfersTheZeekLogFromUnparsedFields) {
  // The conn line without _path is told apart by fields whose values are not parsed here.
  PathRegistry ports;
  ports.Intern("network-traffic:dst_port");
  EventReader lean(ports, /*indexed_paths_only=*/true);
  std::string line = Lines(ReadTestdata("zeek_nopath.log"))[0];
  buffer_.assign(line.begin(), line.end());
  buffer_.resize(line.size() + 64, '\0');
  ASSERT_OK(lean.ReadFlat(std::string_view(buffer_.data(), line.size()), EventFormat::kAuto,
                          &obs_));
  EXPECT_EQ(lean.stats().zeek_events, 1u);
  EXPECT_THAT(Dump(obs_), Contains(HasSubstr("network-traffic:dst_port=")));
  EXPECT_THAT(Dump(obs_), Not(Contains(HasSubstr("protocols"))));
}

TEST_F(EventReaderTest, ZeekConnWithoutPathIsInferred) {
  auto d = ReadDump(Lines(ReadTestdata("zeek_nopath.log"))[0]);
  EXPECT_THAT(d, Contains("network-traffic:protocols[*]=tcp"));
  EXPECT_EQ(reader_->stats().zeek_events, 1u);
}

TEST_F(EventReaderTest, ZeekDnsWithoutPathMapsQueryAndAnswers) {
  auto d = ReadDump(Lines(ReadTestdata("zeek_nopath.log"))[1]);
  EXPECT_THAT(d, Contains("domain-name:value=evil.example.com"));
  EXPECT_THAT(d, Contains("domain-name:value=cname.example.net"));
  EXPECT_THAT(d, Contains("ipv4-addr:value=203.0.113.9"));
  EXPECT_THAT(d, Contains("domain-name:resolves_to_refs[*]->ipv4-addr"));
  EXPECT_THAT(d, Contains("~domain-name:resolves_to_refs[*].value=203.0.113.9"));
}

TEST_F(EventReaderTest, ZeekHttpWithoutPathBuildsUrlAndRequestExtension) {
  auto d = ReadDump(Lines(ReadTestdata("zeek_nopath.log"))[2]);
  EXPECT_THAT(d, Contains("domain-name:value=evil.example.com"));
  EXPECT_THAT(d, Contains("url:value=http://evil.example.com/payload.exe?x=1"));
  EXPECT_THAT(d, Contains("network-traffic:extensions.'http-request-ext'.request_method=GET"));
  EXPECT_THAT(d, Contains(
                     "network-traffic:extensions.'http-request-ext'.request_value=/payload.exe?x=1"));
  EXPECT_THAT(d, Contains("network-traffic:extensions.'http-request-ext'.request_version=http/1.1"));
  EXPECT_THAT(d, Contains(
                     "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'="
                     "curl/8.0"));
  EXPECT_THAT(d, Contains("network-traffic:extensions.'http-request-ext'.request_header.Referer="
                          "http://start.example.org/"));
}

TEST_F(EventReaderTest, ZeekSslWithoutPathMapsServerName) {
  auto d = ReadDump(Lines(ReadTestdata("zeek_nopath.log"))[3]);
  EXPECT_THAT(d, Contains("domain-name:value=login.bad.example"));
}

TEST_F(EventReaderTest, ZeekFilesWithoutPathMapsHashesNameAndHosts) {
  auto d = ReadDump(Lines(ReadTestdata("zeek_nopath.log"))[4]);
  EXPECT_THAT(d, Contains("file:hashes.MD5=44d88612fea8a8f36de82e1278abb02f"));
  EXPECT_THAT(d, Contains("file:hashes.'SHA-1'=3395856ce81f2b7382dee72602f798b642f14140"));
  EXPECT_THAT(d, Contains("file:hashes.'SHA-256'="
                          "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"));
  EXPECT_THAT(d, Contains("file:name=payload.exe"));
  EXPECT_THAT(d, Contains("file:mime_type=application/x-dosexec"));
  EXPECT_THAT(d, Contains("file:size=1024"));
  EXPECT_THAT(d, Contains("ipv4-addr:value=203.0.113.9"));
}

TEST_F(EventReaderTest, ZeekX509WithoutPathMapsCertificateFields) {
  auto d = ReadDump(Lines(ReadTestdata("zeek_nopath.log"))[5]);
  EXPECT_THAT(d, Contains("x509-certificate:version=3"));
  EXPECT_THAT(d, Contains("x509-certificate:serial_number=0A1B2C"));
  EXPECT_THAT(d, Contains("x509-certificate:subject=CN=login.bad.example"));
  EXPECT_THAT(d, Contains("x509-certificate:issuer=CN=Bad CA"));
  EXPECT_THAT(d, Contains("x509-certificate:validity_not_before=2023-07-22T04:26:40Z"));
  EXPECT_THAT(d, Contains("x509-certificate:subject_public_key_exponent=65537"));
  EXPECT_THAT(d, Contains("x509-certificate:hashes.'SHA-256'="
                          "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899"));
  EXPECT_THAT(d, Contains("domain-name:value=www.bad.example"));
  EXPECT_THAT(d, Contains("ipv4-addr:value=203.0.113.10"));
}

TEST_F(EventReaderTest, ZeekMixedStreamUsesEachLinesPath) {
  auto lines = Lines(ReadTestdata("zeek_mixed.log"));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_THAT(ReadDump(lines[0]), Contains("domain-name:value=tracker.example.com"));
  auto http = ReadDump(lines[1]);
  // The Host header's port is kept in the URL and the header, not in the domain name.
  EXPECT_THAT(http, Contains("domain-name:value=tracker.example.com"));
  EXPECT_THAT(http, Contains("url:value=http://tracker.example.com:8080/beacon"));
  auto ssl = ReadDump(lines[2]);
  EXPECT_THAT(ssl, Contains("domain-name:value=cdn.example.net"));
  EXPECT_THAT(ssl, Contains("x509-certificate:subject=CN=cdn.example.net"));
  EXPECT_THAT(ReadDump(lines[3]), Contains("file:hashes.MD5=d41d8cd98f00b204e9800998ecf8427e"));
  EXPECT_THAT(ReadDump(lines[4]), Contains("x509-certificate:serial_number=FF01"));
  EXPECT_THAT(ReadDump(lines[5]), Contains("~network-traffic:dst_ref.value=192.0.2.57"));
  EXPECT_EQ(reader_->stats().zeek_events, 6u);
}

TEST_F(EventReaderTest, ZeekPathIdsAreThoseOfTheRegistry) {
  ReadDump(Lines(ReadTestdata("zeek_conn.log"))[0]);
  uint32_t want = paths_.Find("network-traffic:src_ref.value");
  bool found = false;
  for (const Property& p : obs_.properties()) {
    if (p.name == "src_ref.value") {
      EXPECT_EQ(p.path, want);
      found = true;
    }
    if (p.name == "src_port") {
      EXPECT_EQ(p.path, kNoPath);  // not interned: no indicator uses it
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(EventReaderTest, SuricataAlertWithHttpMapsHttpAndEndpoints) {
  auto d = ReadDump(Lines(ReadTestdata("suricata_eve.json"))[0]);
  EXPECT_THAT(d, Contains("~network-traffic:src_ref.value=10.0.0.7"));
  EXPECT_THAT(d, Contains("network-traffic:protocols[*]=tcp"));
  EXPECT_THAT(d, Contains("domain-name:value=bad.example.org"));
  EXPECT_THAT(d, Contains("url:value=http://bad.example.org/index.php?id=1"));
  EXPECT_THAT(d, Contains("network-traffic:extensions.'http-request-ext'.request_header."
                          "'User-Agent'=sqlmap/1.7"));
  EXPECT_THAT(d, Contains("network-traffic:extensions.'http-request-ext'.request_version=http/1.1"));
  EXPECT_EQ(FormatStixTime(obs_.first_observed), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(reader_->stats().suricata_events, 1u);
}

TEST_F(EventReaderTest, SuricataDnsMapsRrnameAnswersAndGrouped) {
  auto d = ReadDump(Lines(ReadTestdata("suricata_eve.json"))[1]);
  EXPECT_THAT(d, Contains("domain-name:value=phish.example.net"));
  EXPECT_THAT(d, Contains("ipv4-addr:value=203.0.113.77"));
  EXPECT_THAT(d, Contains("ipv4-addr:value=203.0.113.78"));
  EXPECT_THAT(d, Contains("network-traffic:protocols[*]=udp"));
}

TEST_F(EventReaderTest, SuricataHttpEventMapsReferer) {
  auto d = ReadDump(Lines(ReadTestdata("suricata_eve.json"))[2]);
  EXPECT_THAT(d, Contains("url:value=http://downloads.example.com/tool.zip"));
  EXPECT_THAT(d, Contains("network-traffic:extensions.'http-request-ext'.request_header.Referer="
                          "http://ref.example.com/"));
}

TEST_F(EventReaderTest, SuricataTlsMapsSniAndCertificateWithColonFreeFingerprint) {
  auto d = ReadDump(Lines(ReadTestdata("suricata_eve.json"))[3]);
  EXPECT_THAT(d, Contains("domain-name:value=secure.example.com"));
  EXPECT_THAT(d, Contains("x509-certificate:issuer=CN=Example Issuing CA"));
  EXPECT_THAT(d, Contains("x509-certificate:hashes.'SHA-1'=aabbccddeeff00112233445566778899aabbccdd"));
  EXPECT_THAT(d, Contains("x509-certificate:validity_not_after=2024-01-01T00:00:00Z"));
}

TEST_F(EventReaderTest, SuricataFileinfoMapsHashesAndSize) {
  auto d = ReadDump(Lines(ReadTestdata("suricata_eve.json"))[4]);
  EXPECT_THAT(d, Contains("file:hashes.MD5=0cc175b9c0f1b6a831c399e269772661"));
  EXPECT_THAT(d, Contains("file:name=/tool.zip"));
  EXPECT_THAT(d, Contains("file:size=1"));
}

TEST_F(EventReaderTest, SuricataFlowMapsCountsAndAppProto) {
  auto d = ReadDump(Lines(ReadTestdata("suricata_eve.json"))[5]);
  EXPECT_THAT(d, Contains("network-traffic:src_byte_count=1500"));
  EXPECT_THAT(d, Contains("network-traffic:dst_packets=9"));
  EXPECT_THAT(d, Contains("network-traffic:protocols[*]=smtp"));
}

TEST_F(EventReaderTest, ForcedZeekFormatIgnoresSuricataFields) {
  auto d = ReadDump(Lines(ReadTestdata("suricata_eve.json"))[0], EventFormat::kZeek);
  EXPECT_THAT(d, IsEmpty());
  EXPECT_EQ(reader_->stats().unrecognised_events, 1u);
}

TEST_F(EventReaderTest, InvalidJsonIsInvalidArgument) {
  EXPECT_THAT(Read("{\"ts\": 1, \"id.orig_h\": "), StatusIs(base::StatusCode::kInvalidArgument,
                                                            HasSubstr("invalid JSON")));
}

TEST_F(EventReaderTest, NonObjectEventIsInvalidArgument) {
  EXPECT_THAT(Read("[1,2,3]"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
}

TEST_F(EventReaderTest, DeeplyNestedUnknownValueIsSkippedWithoutRecursion) {
  std::string deep = "{\"x\":" + std::string(100000, '[') + std::string(100000, ']') +
                     ",\"_path\":\"dns\",\"query\":\"a.example\"}";
  EXPECT_THAT(ReadDump(deep), ElementsAre("domain-name:value=a.example"));
}

TEST_F(EventReaderTest, DeeplyNestedKnownObjectIsRejected) {
  std::string deep = "{\"event_type\":\"dns\",\"dns\":{\"grouped\":{\"A\":" +
                     std::string(100000, '[') + std::string(100000, ']') + "}}}";
  base::Status s = Read(deep);
  // Either rejected for its depth or skipped: never a crash, never a partial observation.
  if (!s.ok()) {
    EXPECT_THAT(s, StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("JSON")));
  }
}

// The reader hands the CIDR pre-check the first two octets of an IPv4 text it has scanned
// (Property::v4_net16); where it does, the pre-check must answer exactly as from the text.
TEST_F(EventReaderTest, Ipv4AddressCarriesItsFirstTwoOctetsOnlyWhenPlain) {
  struct Case {
    const char* text;
    int32_t net16;
  };
  const Case kCases[] = {
      {"10.20.3.4", 10 << 8 | 20},
      {"0.0.0.0", 0},
      {"255.255.255.255", 0xffff},
      {"198.51.100.7", 198 << 8 | 51},
      {"010.020.3.4", 10 << 8 | 20},  // leading zeros: read as the text pre-check reads them
      {"256.1.2.3", -1},
      {"1.256.2.3", -1},
      {"1.2.3.4/8", -1},
      {"1/8.2.3.4", -1},
      {"..1.2345", -1},
      {"1..2.3456", -1},
      {"99999999.1.2.3", -1},
      {"1.99999999999.2.3", -1},
  };
  CidrTrie trie;
  for (const char* block : {"10.20.0.0/16", "198.0.0.0/8", "1.2.3.0/24", "0.0.0.0/32"}) {
    IpPrefix prefix;
    ASSERT_TRUE(ParseIpPrefix(block, &prefix)) << block;
    trie.Insert(prefix, 1);
  }
  trie.Finalize();
  const uint32_t path = paths_.Find("ipv4-addr:value");
  for (const Case& c : kCases) {
    ASSERT_TRUE(Read(std::string(R"({"_path":"conn","id.orig_h":")") + c.text + R"("})").ok())
        << c.text;
    int found = 0;
    for (const Property& p : obs_.properties()) {
      if (p.path != path || p.value.s != c.text) continue;
      ++found;
      EXPECT_EQ(p.v4_net16, c.net16) << c.text;
      if (p.v4_net16 >= 0) {
        EXPECT_EQ(trie.MayContainV4Net16(static_cast<uint32_t>(p.v4_net16)),
                  trie.MayContainV4Text(c.text))
            << c.text;
      }
    }
    EXPECT_EQ(found, 1) << c.text;
  }
}

// The reader classifies address texts sixteen bytes at a time; it must answer exactly as the
// byte-by-byte definition below (docs/match-fields.md) on texts of every length and shape.
struct AddressClass {
  std::string type;  // "ipv4-addr", "ipv6-addr" or "" (neither)
  int32_t net16 = -1;
};

AddressClass ClassifyByBytes(std::string_view s) {
  AddressClass out;
  if (s.size() >= 7 && s.size() <= 18) {
    int dots = 0;
    bool slash = false, bad = false;
    unsigned octet = 0, digits = 0, first = 256, second = 256;
    for (char c : s) {
      if (c >= '0' && c <= '9') {
        octet = std::min(octet * 10 + static_cast<unsigned>(c - '0'), 256u);
        ++digits;
      } else if (c == '.') {
        unsigned v = digits == 0 ? 256 : octet;
        if (dots == 0) first = v;
        if (dots == 1) second = v;
        ++dots;
        octet = digits = 0;
      } else if (c == '/') {
        slash = true;
      } else {
        bad = true;
        break;
      }
    }
    if (!bad && dots == 3) {
      out.type = "ipv4-addr";
      if (!slash && first <= 255 && second <= 255) out.net16 = static_cast<int32_t>(first << 8 | second);
      return out;
    }
  }
  if (s.size() >= 2 && s.size() <= 49) {
    bool colon = false, bad = false;
    for (char c : s) {
      bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (c == ':') {
        colon = true;
      } else if (!(hex || c == '.' || c == '/')) {
        bad = true;
        break;
      }
    }
    if (!bad && colon) out.type = "ipv6-addr";
  }
  return out;
}

TEST_F(EventReaderTest, AddressTextsAreClassifiedAsByTheByteDefinition) {
  std::mt19937 rng(7);
  const std::string alphabets[] = {"0123456789.", "0123456789./", "0123456789abcdefABCDEF:./",
                                   "0123456789abcdef:.gG-x /"};
  std::vector<std::string> texts = {"1.2.3.4", "255.255.255.255", "1.2.3.4/32", "10.0.0.1/8",
                                    "0001.2.3.4", "1.0002.3.4", "12345.1.2.3", "1.2.3",
                                    "1.2.3.4.5", "::1", "2001:db8::1", "2001:DB8::FFFF:1.2.3.4",
                                    "fe80::1/64", "::", "abcdef", "1.2.3.4a", "a1.2.3.4"};
  for (int i = 0; i < 20000; ++i) {
    const std::string& alphabet = alphabets[static_cast<size_t>(i) % std::size(alphabets)];
    size_t len = rng() % 52;
    std::string t;
    for (size_t k = 0; k < len; ++k) t.push_back(alphabet[rng() % alphabet.size()]);
    texts.push_back(t);
    // Dotted shapes: three or so dots, octets of zero to four digits, sometimes a '/'.
    std::string d;
    int parts = 3 + static_cast<int>(rng() % 3);
    for (int k = 0; k < parts; ++k) {
      if (k > 0) d.push_back(rng() % 16 == 0 ? '/' : '.');
      int digits = static_cast<int>(rng() % 5);
      for (int j = 0; j < digits; ++j) d.push_back(static_cast<char>('0' + rng() % (j == 0 ? 3 : 10)));
    }
    texts.push_back(d);
  }
  int ipv4 = 0, with_net16 = 0;
  for (const std::string& text : texts) {
    AddressClass c = ClassifyByBytes(text);
    ipv4 += c.type == "ipv4-addr";
    with_net16 += c.net16 >= 0;
  }
  EXPECT_GT(ipv4, 2000);  // the cases reach the shapes that matter
  EXPECT_GT(with_net16, 1000);
  for (const std::string& text : texts) {
    ASSERT_TRUE(Read(R"({"_path":"conn","id.orig_h":")" + text + R"("})").ok()) << text;
    AddressClass want = ClassifyByBytes(text);
    AddressClass got;
    for (const ObjectView& o : obs_.objects()) {
      if (o.type == "ipv4-addr" || o.type == "ipv6-addr") got.type = std::string(o.type);
    }
    for (const Property& p : obs_.properties()) {
      if (p.name == "value" && p.value.s == text && got.type == "ipv4-addr") got.net16 = p.v4_net16;
    }
    EXPECT_EQ(got.type, want.type) << "'" << text << "'";
    EXPECT_EQ(got.net16, want.net16) << "'" << text << "'";
  }
}

// Zeek's `ts` (epoch seconds as a double) becomes whole seconds and microseconds exactly as
// std::floor and std::llround would make them (TimeFromEpochDouble avoids the libm calls).
TEST(EventTimeTest, EpochDoubleSplitsIntoSecondsAndRoundedMicroseconds) {
  std::mt19937_64 rng(11);
  std::vector<double> values = {0.0, -0.0, 0.5e-6, 1.4999995, 1700000000.0000005, -1.5, -0.25,
                                -1e-7, 1.9999996, -62135596800.0, 253402300799.0,
                                253402300798.9999995, 0.49999999999999994, 1700000000.123456};
  for (int i = 0; i < 200000; ++i) {
    double whole = static_cast<double>(static_cast<int64_t>(rng() % 4000000000ull) - 2000000000);
    double frac = static_cast<double>(rng() % 2000001) / 2000000.0;  // hits .5 micro steps
    values.push_back(whole + frac);
    values.push_back(std::ldexp(static_cast<double>(rng() >> 11), -20) - 4e9);
  }
  for (double v : values) {
    EventTime got = TimeFromEpochDouble(v);
    ASSERT_TRUE(got.valid) << v;
    double whole = std::floor(v);
    int64_t micros = std::llround((v - whole) * 1e6);
    int64_t secs = static_cast<int64_t>(whole);
    if (micros >= 1000000) {
      secs += 1;
      micros -= 1000000;
    }
    EXPECT_EQ(got.seconds, secs) << std::hexfloat << v;
    EXPECT_EQ(got.nanos, micros * 1000) << std::hexfloat << v;
    EXPECT_EQ(got.digits, 6);
  }
  EXPECT_FALSE(TimeFromEpochDouble(std::nan("")).valid);
  EXPECT_FALSE(TimeFromEpochDouble(1e300).valid);
  EXPECT_FALSE(TimeFromEpochDouble(-1e12).valid);
}

// The DOM fast path and the On-Demand fallback (taken when the DOM parser refuses a line, e.g.
// for nesting deeper than kMaxDepth in a field we do not map) must read the same event alike.
TEST_F(EventReaderTest, FallbackReaderMapsEventsLikeTheFastPath) {
  const std::string deep = std::string(kMaxDepth + 10, '[') + std::string(kMaxDepth + 10, ']');
  for (const char* file : {"zeek_conn.log", "zeek_mixed.log", "zeek_nopath.log",
                                  "suricata_eve.json"}) {
    for (const std::string& line : Lines(ReadTestdata(file))) {
      if (line.empty() || line[0] != '{') continue;
      auto fast = ReadDump(line);
      auto slow = ReadDump("{\"x\":" + deep + "," + line.substr(1));
      EXPECT_EQ(fast, slow) << file << ": " << line;
    }
  }
}

TEST_F(EventReaderTest, EscapedKeysAreRecognisedOnBothPaths) {
  const std::string line = R"({"_p\u0061th":"dns","qu\u0065ry":"a.example"})";
  EXPECT_THAT(ReadDump(line), ElementsAre("domain-name:value=a.example"));
  const std::string deep = std::string(kMaxDepth + 10, '[') + std::string(kMaxDepth + 10, ']');
  EXPECT_THAT(ReadDump("{\"x\":" + deep + "," + line.substr(1)),
              ElementsAre("domain-name:value=a.example"));
}

// The caller may match one event while the next is read (StreamMatcher's pipeline).
TEST_F(EventReaderTest, StringsStayValidWhileTheNextEventIsRead) {
  Observation first;
  std::vector<char> b1, b2;
  auto padded = [](std::vector<char>* b, const std::string& s) {
    b->assign(s.begin(), s.end());
    b->resize(s.size() + 64, '\0');
    return std::string_view(b->data(), s.size());
  };
  ASSERT_OK(reader_->ReadFlat(padded(&b1, R"({"_path":"dns","query":"first.example"})"),
                              EventFormat::kZeek, &first));
  ASSERT_OK(reader_->ReadFlat(padded(&b2, R"({"_path":"dns","query":"second.example"})"),
                              EventFormat::kZeek, &obs_));
  EXPECT_THAT(Dump(first), ElementsAre("domain-name:value=first.example"));
  EXPECT_THAT(Dump(obs_), ElementsAre("domain-name:value=second.example"));
}

TEST_F(EventReaderTest, WrongTypesAreIgnored) {
  auto d = ReadDump(R"({"_path":"conn","id.orig_h":42,"id.orig_p":"x","proto":["tcp"]})");
  EXPECT_THAT(d, IsEmpty());
}

TEST_F(EventReaderTest, StixBundleYieldsOneObservationPerObservedData) {
  std::vector<std::vector<std::string>> dumps;
  std::vector<std::string> ids;
  std::string doc = ReadTestdata("observed_bundle.json");
  ASSERT_OK(reader_->ReadStix(doc, [&](Observation& o) {
    dumps.push_back(Dump(o));
    ids.emplace_back(o.observed_data_id);
    return base::OkStatus();
  }));
  ASSERT_EQ(dumps.size(), 2u);
  EXPECT_EQ(ids[0], "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf");
  EXPECT_THAT(dumps[0], Contains("ipv4-addr:value=198.51.100.3"));
  EXPECT_THAT(dumps[0], Contains("~network-traffic:dst_ref.value=198.51.100.3"));
  EXPECT_THAT(dumps[0], Contains("~domain-name:resolves_to_refs[*].value=198.51.100.3"));
  EXPECT_THAT(dumps[0], Contains("network-traffic:protocols[*]=tcp"));
  EXPECT_THAT(dumps[1], Contains("file:hashes.'SHA-256'="
                                 "fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db"));
  EXPECT_THAT(dumps[1], Contains("file:hashes.MD5=9e107d9d372bb6826bd81d3542a419d6"));
}

TEST_F(EventReaderTest, Stix20ObservedDataWithEmbeddedObjects) {
  std::string doc = R"({"type":"observed-data","id":"observed-data--1","first_observed":)"
                    R"("2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z",)"
                    R"("number_observed":2,"objects":{"0":{"type":"ipv4-addr","value":"192.0.2.1"},)"
                    R"("1":{"type":"network-traffic","src_ref":"0","protocols":["tcp"]}}})";
  std::vector<std::string> d;
  int64_t number = 0;
  ASSERT_OK(reader_->ReadStix(doc, [&](Observation& o) {
    d = Dump(o);
    number = o.number_observed;
    return base::OkStatus();
  }));
  EXPECT_THAT(d, Contains("~network-traffic:src_ref.value=192.0.2.1"));
  EXPECT_EQ(number, 2);
}

TEST_F(EventReaderTest, StixScoLinesAreRememberedForLaterObservedData) {
  ASSERT_OK(reader_->ReadStix(
      R"({"type":"domain-name","id":"domain-name--aaaaaaaa-0000-4000-8000-000000000001","value":"x.example"})",
      [](Observation&) { return base::OkStatus(); }));
  std::vector<std::string> d;
  ASSERT_OK(reader_->ReadStix(
      R"({"type":"observed-data","id":"observed-data--2","first_observed":"2020-01-01T00:00:00Z",)"
      R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,)"
      R"("object_refs":["domain-name--aaaaaaaa-0000-4000-8000-000000000001"]})",
      [&](Observation& o) {
        d = Dump(o);
        return base::OkStatus();
      }));
  EXPECT_THAT(d, UnorderedElementsAre("domain-name:value=x.example"));
}

TEST_F(EventReaderTest, StixDocumentWithoutTypeIsInvalidArgument) {
  EXPECT_THAT(reader_->ReadStix(R"({"id":"x"})", [](Observation&) { return base::OkStatus(); }),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("'type'")));
}

TEST_F(EventReaderTest, ObservationJsonIsAcceptedByTheReferenceEvaluator) {
  ReadDump(Lines(ReadTestdata("zeek_nopath.log"))[2]);
  std::string json = ObservationToStixJson(obs_);
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  ASSERT_FALSE(ec) << json;
  auto observations = pattern::Observations::FromJson(value, pattern::StixVersion::k21);
  ASSERT_TRUE(observations.ok()) << observations.status() << "\n" << json;
  auto p = pattern::Parse("[url:value = 'http://evil.example.com/payload.exe?x=1']");
  ASSERT_TRUE(p.ok());
  auto r = pattern::Match(*p, *observations);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(*r);
}

TEST(ParseEventFormatTest, UnknownNameIsInvalidArgument) {
  EXPECT_THAT(ParseEventFormat("csv"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("unknown event format")));
}

TEST(SniffFormatTest, RecognisesEachFormat) {
  EXPECT_EQ(SniffFormat(R"({"timestamp":"x","event_type":"dns"})"), EventFormat::kSuricata);
  EXPECT_EQ(SniffFormat(R"({"type":"bundle","objects":[]})"), EventFormat::kStix);
  EXPECT_EQ(SniffFormat(R"({"_path":"conn","ts":1})"), EventFormat::kZeek);
  EXPECT_EQ(SniffFormat(R"({"ts":1,"uid":"C"})"), EventFormat::kZeek);
}

TEST(TimeTest, ParsesSuricataOffsetsAndFormatsStix) {
  EventTime t = ParseTimeText("2023-11-14T23:13:20.5+0100");
  ASSERT_TRUE(t.valid);
  EXPECT_EQ(FormatStixTime(t), "2023-11-14T22:13:20.5Z");
  EXPECT_FALSE(ParseTimeText("2023-13-01T00:00:00Z").valid);
  EXPECT_FALSE(ParseTimeText("yesterday").valid);
}

}  // namespace
}  // namespace detente::match
