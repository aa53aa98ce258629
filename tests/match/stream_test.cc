// Tests for StreamMatcher: framing (lines, pretty-printed STIX documents, chunk boundaries),
// format detection, sightings and error reporting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

#include "match/match.h"
#include "match/test_util.h"
#include "testing/status_matchers.h"

namespace detente::match {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing::Lines;
using testing::ReadTestdata;

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LoadStats stats;
    std::vector<IndicatorError> errors;
    auto m = Matcher::Load(ReadTestdata("indicators_bundle.json"), &stats, &errors);
    ASSERT_TRUE(m.ok()) << m.status();
    matcher_ = std::move(m).value();
  }

  std::unique_ptr<StreamMatcher> Stream(EventFormat format = EventFormat::kAuto) {
    SightingOptions options;
    options.seed = 7;
    options.now = [] { return std::string("2026-01-01T00:00:00.000Z"); };
    return std::make_unique<StreamMatcher>(
        matcher_.get(), format, options, [this](std::string_view s) { out_ += s; },
        [this](std::string_view e) { errors_.emplace_back(e); });
  }

  // Feeds `text` in chunks of `chunk` bytes.
  void Run(StreamMatcher* s, const std::string& text, size_t chunk) {
    for (size_t i = 0; i < text.size(); i += chunk) {
      ASSERT_OK(s->Feed(std::string_view(text).substr(i, chunk)));
    }
    ASSERT_OK(s->Finish());
  }

  // sighting_of_ref of each sighting written.
  std::vector<std::string> Refs() {
    std::vector<std::string> refs;
    for (const std::string& line : Lines(out_)) {
      auto v = boost::json::parse(line).as_object();
      refs.emplace_back(v.at("sighting_of_ref").as_string());
    }
    return refs;
  }

  std::unique_ptr<Matcher> matcher_;
  std::string out_;
  std::vector<std::string> errors_;
};

TEST_F(StreamTest, ZeekFileProducesOneSightingPerIndicatorAndEvent) {
  auto s = Stream();
  Run(s.get(), ReadTestdata("zeek_nopath.log"), 1 << 20);
  EXPECT_EQ(s->format(), EventFormat::kZeek);
  EXPECT_EQ(s->stats().events, 6u);
  // conn: 198.51.100.7 in /24 (2) and port/dst AND (5); dns: evil (1); http: evil (1), url LIKE
  // (3); ssl: MATCHES login.bad (8); files: sha256 (4); x509: SAN login.bad.example (8).
  EXPECT_THAT(Refs(), ElementsAre("indicator--00000000-0000-4000-8000-000000000002",
                                  "indicator--00000000-0000-4000-8000-000000000005",
                                  "indicator--00000000-0000-4000-8000-000000000001",
                                  "indicator--00000000-0000-4000-8000-000000000001",
                                  "indicator--00000000-0000-4000-8000-000000000003",
                                  "indicator--00000000-0000-4000-8000-000000000008",
                                  "indicator--00000000-0000-4000-8000-000000000004",
                                  "indicator--00000000-0000-4000-8000-000000000008"));
  EXPECT_THAT(errors_, IsEmpty());
}

TEST_F(StreamTest, SightingHasTheStix21ShapeAndTheEventTime) {
  auto s = Stream();
  Run(s.get(), Lines(ReadTestdata("zeek_nopath.log"))[1] + "\n", 1 << 20);
  auto lines = Lines(out_);
  ASSERT_THAT(lines, SizeIs(1));
  auto v = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(v.at("type").as_string(), "sighting");
  EXPECT_EQ(v.at("spec_version").as_string(), "2.1");
  EXPECT_TRUE(std::string(v.at("id").as_string()).starts_with("sighting--"));
  EXPECT_EQ(v.at("id").as_string().size(), std::string("sighting--").size() + 36);
  EXPECT_EQ(v.at("created").as_string(), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(v.at("first_seen").as_string(), "2023-11-14T22:13:22.250000Z");
  EXPECT_EQ(v.at("last_seen").as_string(), "2023-11-14T22:13:22.250000Z");
  EXPECT_EQ(v.at("count").as_int64(), 1);
  EXPECT_FALSE(v.contains("observed_data_refs"));
}

TEST_F(StreamTest, ChunkBoundariesDoNotChangeTheResult) {
  std::string text = ReadTestdata("zeek_mixed.log") + ReadTestdata("zeek_nopath.log");
  auto whole = Stream();
  Run(whole.get(), text, 1 << 20);
  std::string expected = out_;
  out_.clear();
  auto bytewise = Stream();
  Run(bytewise.get(), text, 7);
  EXPECT_EQ(out_, expected);
  EXPECT_EQ(bytewise->stats().events, whole->stats().events);
}

// Lines are parsed in place when SIMDJSON_PADDING (64) bytes follow them in the fed bytes, else
// through the buffer; partial lines join across Feed calls. Every split gives the same output.
TEST_F(StreamTest, ChunkSizesAroundThePaddingGiveTheSameResult) {
  std::string text = ReadTestdata("zeek_mixed.log") + ReadTestdata("zeek_nopath.log");
  auto whole = Stream();
  Run(whole.get(), text, text.size());
  std::string expected = out_;
  ASSERT_FALSE(expected.empty());
  for (size_t chunk : {1, 63, 64, 65, 100, 333, 1000, 4096}) {
    out_.clear();
    auto s = Stream(chunk % 2 ? EventFormat::kAuto : EventFormat::kZeek);
    Run(s.get(), text, chunk);
    EXPECT_EQ(out_, expected) << "chunk " << chunk;
    EXPECT_EQ(s->stats().events, whole->stats().events) << "chunk " << chunk;
  }
}

TEST_F(StreamTest, IndexOnlyMatcherReadsOnlyIndexedPathsAndMatchesTheSame) {
  std::vector<std::pair<std::string, std::string>> in = {
      {"indicator--00000000-0000-4000-8000-000000000001", "[network-traffic:dst_port = 443]"},
      {"indicator--00000000-0000-4000-8000-000000000002", "[ipv4-addr:value = '10.0.0.0/8']"}};
  LoadStats stats;
  std::vector<IndicatorError> errors;
  ASSERT_OK_AND_ASSIGN(matcher_, Matcher::FromPatterns(in, &stats, &errors));
  ASSERT_FALSE(matcher_->NeedsAllProperties());
  auto s = Stream();
  Run(s.get(), Lines(ReadTestdata("zeek_conn.log"))[0] + "\n", 1 << 20);
  EXPECT_THAT(Refs(), ElementsAre("indicator--00000000-0000-4000-8000-000000000001",
                                  "indicator--00000000-0000-4000-8000-000000000002"));
}

TEST_F(StreamTest, LastLineWithoutNewlineIsMatched) {
  auto s = Stream();
  std::string line = Lines(ReadTestdata("zeek_nopath.log"))[1];
  Run(s.get(), line, 1 << 20);
  EXPECT_THAT(Refs(), ElementsAre("indicator--00000000-0000-4000-8000-000000000001"));
}

TEST_F(StreamTest, SuricataIsDetectedAndMatched) {
  auto s = Stream();
  Run(s.get(), ReadTestdata("suricata_eve.json"), 100);
  EXPECT_EQ(s->format(), EventFormat::kSuricata);
  EXPECT_EQ(s->reader_stats().suricata_events, 6u);
  // 198.51.100.20/.21/.22 are in the /24: alert, http, tls, fileinfo events.
  EXPECT_THAT(Refs(), SizeIs(4));
}

TEST_F(StreamTest, PrettyPrintedStixBundleIsOneDocument) {
  LoadStats stats;
  std::vector<IndicatorError> errors;
  auto m = Matcher::FromPatterns(
      {{"indicator--00000000-0000-4000-8000-0000000000aa", "[ipv4-addr:value = '198.51.100.3']"},
       {"indicator--00000000-0000-4000-8000-0000000000bb",
        "[file:hashes.MD5 = '9e107d9d372bb6826bd81d3542a419d6'] REPEATS 3 TIMES"}},
      &stats, &errors);
  ASSERT_TRUE(m.ok());
  matcher_ = std::move(m).value();
  auto s = Stream();
  Run(s.get(), ReadTestdata("observed_bundle.json"), 64);
  EXPECT_EQ(s->format(), EventFormat::kStix);
  EXPECT_THAT(errors_, IsEmpty());
  auto lines = Lines(out_);
  ASSERT_THAT(lines, SizeIs(2));
  auto first = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(first.at("observed_data_refs").as_array().at(0).as_string(),
            "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf");
  EXPECT_EQ(first.at("first_seen").as_string(), "2015-12-21T19:00:00Z");
  auto second = boost::json::parse(lines[1]).as_object();
  EXPECT_EQ(second.at("sighting_of_ref").as_string(),
            "indicator--00000000-0000-4000-8000-0000000000bb");
  EXPECT_EQ(second.at("last_seen").as_string(), "2015-12-22T11:00:00.5Z");
}

TEST_F(StreamTest, BadLinesAreReportedWithTheirNumberAndSkipped) {
  auto s = Stream(EventFormat::kZeek);
  std::string text = Lines(ReadTestdata("zeek_nopath.log"))[1] + "\n{broken\n\n[1]\n" +
                     Lines(ReadTestdata("zeek_nopath.log"))[1] + "\n";
  Run(s.get(), text, 1 << 20);
  ASSERT_THAT(errors_, SizeIs(2));
  EXPECT_THAT(errors_[0], HasSubstr("line 2: invalid JSON"));
  EXPECT_THAT(errors_[1], HasSubstr("line 4: event is not a JSON object"));
  EXPECT_EQ(s->stats().event_errors, 2u);
  EXPECT_THAT(Refs(), SizeIs(2));
}

TEST_F(StreamTest, StatsJsonCountsEverything) {
  auto s = Stream();
  Run(s.get(), ReadTestdata("zeek_mixed.log"), 1 << 20);
  LoadStats load;
  load.loaded = 6;
  auto v = boost::json::parse(s->StatsJson(load)).as_object();
  EXPECT_EQ(v.at("events").as_int64(), 6);
  EXPECT_EQ(v.at("format").as_string(), "zeek");
  EXPECT_EQ(v.at("indicators").as_object().at("loaded").as_int64(), 6);
  EXPECT_TRUE(v.contains("matcher"));
}

TEST_F(StreamTest, OversizedLineIsReportedAndTheStreamRecovers) {
  auto s = Stream(EventFormat::kZeek);
  std::string huge(kMaxDocumentBytes + 10, 'x');
  ASSERT_OK(s->Feed(huge));
  ASSERT_OK(s->Feed("\n" + Lines(ReadTestdata("zeek_nopath.log"))[1] + "\n"));
  ASSERT_OK(s->Finish());
  ASSERT_THAT(errors_, SizeIs(1));
  EXPECT_THAT(errors_[0], HasSubstr("larger than"));
  EXPECT_THAT(Refs(), SizeIs(1));
}

}  // namespace
}  // namespace detente::match
