// Tests for base/time.h: RFC 3339 / STIX parsing (valid and each kind of invalid), formatting,
// precision, ordering, arithmetic and the clocks.
#include "base/time.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "testing/status_matchers.h"

namespace detente::base {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

struct ValidCase {
  std::string text;
  int64_t seconds;
  int32_t nanos;
  int precision;
  std::string formatted;  // Format() of the parsed value
};

TEST(TimestampTest, ParsesValidRfc3339) {
  const ValidCase cases[] = {
      {"1970-01-01T00:00:00Z", 0, 0, 0, "1970-01-01T00:00:00Z"},
      {"2016-01-20T12:31:12.123Z", 1453293072, 123'000'000, 3, "2016-01-20T12:31:12.123Z"},
      {"2016-01-20t12:31:12.1z", 1453293072, 100'000'000, 1, "2016-01-20T12:31:12.1Z"},
      {"2016-01-20T12:31:12.000000001Z", 1453293072, 1, 9, "2016-01-20T12:31:12.000000001Z"},
      {"2016-01-20T12:31:12.120Z", 1453293072, 120'000'000, 3, "2016-01-20T12:31:12.120Z"},
      {"2016-01-20T14:31:12+02:00", 1453293072, 0, 0, "2016-01-20T12:31:12Z"},
      {"2016-01-20T07:01:12.5-05:30", 1453293072, 500'000'000, 1, "2016-01-20T12:31:12.5Z"},
      {"2016-01-20T12:31:12-00:00", 1453293072, 0, 0, "2016-01-20T12:31:12Z"},
      {"2000-02-29T23:59:59Z", 951868799, 0, 0, "2000-02-29T23:59:59Z"},
      {"1969-12-31T23:59:59.999Z", -1, 999'000'000, 3, "1969-12-31T23:59:59.999Z"},
      {"0001-01-01T00:00:00Z", -62135596800, 0, 0, "0001-01-01T00:00:00Z"},
      {"9999-12-31T23:59:59.999999999Z", 253402300799, 999'999'999, 9,
       "9999-12-31T23:59:59.999999999Z"},
      {"2024-02-29T00:00:00Z", 1709164800, 0, 0, "2024-02-29T00:00:00Z"},
  };
  for (const auto& c : cases) {
    auto r = Timestamp::Parse(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status();
    EXPECT_EQ(r->unix_seconds(), c.seconds) << c.text;
    EXPECT_EQ(r->nanos(), c.nanos) << c.text;
    EXPECT_EQ(r->precision(), c.precision) << c.text;
    EXPECT_EQ(r->Format(), c.formatted) << c.text;
  }
}

struct InvalidCase {
  std::string text;
  std::string error;
};

TEST(TimestampTest, RejectsEachKindOfInvalidInput) {
  const InvalidCase cases[] = {
      {"", "expected 4-digit year at offset 0"},
      {"16-01-20T12:31:12Z", "expected 4-digit year"},
      {"0000-01-01T00:00:00Z", "year 0000 out of range"},
      {"2016/01/20T12:31:12Z", "expected '-' after the year at offset 4"},
      {"2016-13-01T00:00:00Z", "month 13 out of range (1-12) at offset 5"},
      {"2016-00-01T00:00:00Z", "month 0 out of range"},
      {"2016-1-01T00:00:00Z", "expected 2-digit month"},
      {"2016-01-32T00:00:00Z", "day 32 out of range (1-31)"},
      {"2016-01-00T00:00:00Z", "day 0 out of range"},
      {"2015-02-29T00:00:00Z", "day 29 out of range for 2015-02 at offset 8"},
      {"1900-02-29T00:00:00Z", "day 29 out of range for 1900-02"},
      {"2016-04-31T00:00:00Z", "day 31 out of range for 2016-04"},
      {"2016-01-20 12:31:12Z", "expected 'T' between date and time at offset 10"},
      {"2016-01-20", "expected 'T'"},
      {"2016-01-20T24:00:00Z", "hour 24 out of range (0-23)"},
      {"2016-01-20T12:60:00Z", "minute 60 out of range"},
      {"2016-12-31T23:59:60Z", "second 60 out of range (0-59)"},
      {"2016-01-20T12:31Z", "expected ':' after the minute"},
      {"2016-01-20T12:31:12.Z", "expected a digit after '.' at offset 20"},
      {"2016-01-20T12:31:12.1234567890Z", "more than 9 fractional-second digits at offset 29"},
      {"2016-01-20T12:31:12", "expected a time offset"},
      {"2016-01-20T12:31:12+0200", "expected ':' in the time offset"},
      {"2016-01-20T12:31:12+24:00", "offset hour 24 out of range"},
      {"2016-01-20T12:31:12+02:60", "offset minute 60 out of range"},
      {"2016-01-20T12:31:12ZZ", "unexpected trailing characters at offset 20"},
      {"2016-01-20T12:31:12Z ", "unexpected trailing characters"},
      {" 2016-01-20T12:31:12Z", "expected 4-digit year at offset 0"},
      {"2016-01-20T12:31:12,5Z", "expected a time offset"},
      {"0001-01-01T00:59:59+01:00", "instant outside years 0001-9999 once the offset is applied"},
      {"9999-12-31T23:00:00-01:00", "instant outside years 0001-9999"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(Timestamp::Parse(c.text),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.text;
  }
}

TEST(TimestampTest, ErrorQuotesTheInputTruncated) {
  EXPECT_THAT(
      Timestamp::Parse("2016-13-01T00:00:00Z"),
      StatusIs(StatusCode::kInvalidArgument,
               "timestamp \"2016-13-01T00:00:00Z\": month 13 out of range (1-12) at offset 5"));
  const std::string junk(1000, 'x');
  auto r = Timestamp::Parse(junk);
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, HasSubstr("xxx...\"")));
  EXPECT_LT(r.status().message().size(), 200u);
}

TEST(TimestampTest, StixFormRequiresUpperCaseUtc) {
  EXPECT_TRUE(Timestamp::ParseStix("2016-01-20T12:31:12.123Z").ok());
  EXPECT_TRUE(Timestamp::ParseStix("2016-01-20T12:31:12Z").ok());
  const InvalidCase cases[] = {
      {"2016-01-20T12:31:12.123z", "expected 'Z' (STIX timestamps are UTC with an upper-case 'Z')"},
      {"2016-01-20t12:31:12.123Z", "expected 'T' between date and time"},
      {"2016-01-20T12:31:12+00:00", "expected 'Z'"},
      {"2016-01-20T12:31:12.", "expected a digit after '.'"},
      {"2016-01-20T12:31:12", "expected 'Z' at offset 19"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(Timestamp::ParseStix(c.text),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.text;
  }
}

TEST(TimestampTest, MillisecondPrecisionRuleForCreatedAndModified) {
  const std::pair<std::string, bool> cases[] = {
      {"2016-01-20T12:31:12Z", false},    {"2016-01-20T12:31:12.1Z", false},
      {"2016-01-20T12:31:12.12Z", false}, {"2016-01-20T12:31:12.123Z", true},
      {"2016-01-20T12:31:12.000Z", true}, {"2016-01-20T12:31:12.123456Z", true},
  };
  for (const auto& [text, ok] : cases) {
    auto t = Timestamp::ParseStix(text);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->has_millisecond_precision(), ok) << text;
  }
}

TEST(TimestampTest, FormatTruncatesNeverRounds) {
  auto t = Timestamp::Parse("2016-01-20T12:31:12.999999999Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->FormatMillis(), "2016-01-20T12:31:12.999Z");
  EXPECT_EQ(t->FormatWithPrecision(0), "2016-01-20T12:31:12Z");
  EXPECT_EQ(t->FormatWithPrecision(6), "2016-01-20T12:31:12.999999Z");
}

TEST(TimestampTest, EqualityAndOrderingIgnorePrecision) {
  auto a = Timestamp::Parse("2016-01-20T12:31:12Z");
  auto b = Timestamp::Parse("2016-01-20T12:31:12.000Z");
  auto c = Timestamp::Parse("2016-01-20T12:31:12.001Z");
  auto d = Timestamp::Parse("2016-01-20T13:31:12.000+01:00");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *d);
  EXPECT_LT(*b, *c);
  EXPECT_GT(*c, *a);
}

TEST(TimestampTest, FactoriesNormaliseAndSetPrecision) {
  EXPECT_EQ(Timestamp::FromUnixMillis(-1).Format(), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Timestamp::FromUnixMillis(1453293072123).Format(), "2016-01-20T12:31:12.123Z");
  EXPECT_EQ(Timestamp::FromUnixNanos(1).Format(), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(Timestamp::FromUnixNanos(-1).unix_seconds(), -1);
  EXPECT_EQ(Timestamp::FromUnixNanos(-1).nanos(), 999'999'999);
  Timestamp t = Timestamp::FromUnixSeconds(10, -500'000'000, 12);
  EXPECT_EQ(t.unix_seconds(), 9);
  EXPECT_EQ(t.nanos(), 500'000'000);
  EXPECT_EQ(t.precision(), 9);
  EXPECT_EQ(Timestamp::FromUnixMillis(-1).unix_millis(), -1);
}

TEST(TimestampTest, ArithmeticCarriesAcrossSeconds) {
  Timestamp t = Timestamp::FromUnixSeconds(100, 900'000'000, 3);
  Timestamp u = t.PlusNanos(200'000'000);
  EXPECT_EQ(u.unix_seconds(), 101);
  EXPECT_EQ(u.nanos(), 100'000'000);
  EXPECT_EQ(u.precision(), 3);
  Timestamp v = t.PlusNanos(-1'000'000'000);
  EXPECT_EQ(v.unix_seconds(), 99);
  EXPECT_EQ(v.nanos(), 900'000'000);
  EXPECT_EQ(u.NanosSince(t), 200'000'000);
  EXPECT_EQ(t.NanosSince(u), -200'000'000);
  EXPECT_EQ(t.PlusSeconds(86400).Format(), "1970-01-02T00:01:40.900Z");
}

TEST(TimestampTest, NanosSinceSaturates) {
  Timestamp far = Timestamp::FromUnixSeconds(std::numeric_limits<int64_t>::max() / 2);
  Timestamp past = Timestamp::FromUnixSeconds(std::numeric_limits<int64_t>::min() / 2);
  EXPECT_EQ(far.NanosSince(past), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(past.NanosSince(far), std::numeric_limits<int64_t>::min());
}

TEST(TimestampTest, FormatParseRoundTripsOverManyDays) {
  // Every 7th day plus an odd offset over 0001..9999 exercises the civil-date conversion.
  for (int64_t s = -62135596800; s < 253402300799; s += 7 * 86400 * 13 + 3601) {
    Timestamp t = Timestamp::FromUnixSeconds(s, 123'456'789, 9);
    auto back = Timestamp::Parse(t.Format());
    ASSERT_TRUE(back.ok()) << t.Format() << ": " << back.status();
    ASSERT_EQ(*back, t) << t.Format();
  }
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(Timestamp::FromUnixMillis(1000));
  EXPECT_EQ(clock.Now(), Timestamp::FromUnixMillis(1000));
  EXPECT_EQ(clock.Now().precision(), 3);
  clock.AdvanceSeconds(5);
  EXPECT_EQ(clock.Now(), Timestamp::FromUnixMillis(6000));
  clock.AdvanceNanos(1);
  EXPECT_EQ(clock.Now().precision(), 9);
  clock.Set(Timestamp::FromUnixSeconds(42));
  EXPECT_EQ(clock.Now().unix_seconds(), 42);
  const Clock& as_interface = clock;
  EXPECT_EQ(as_interface.Now().unix_seconds(), 42);
}

TEST(ClockTest, SystemClockGivesWholeMillisecondsAfter2020) {
  Timestamp now = SystemClock::Default().Now();
  EXPECT_GT(now, Timestamp::FromUnixSeconds(1577836800));
  EXPECT_EQ(now.nanos() % 1'000'000, 0);
  EXPECT_EQ(now.precision(), 3);
}

TEST(ScaledClockTest, RunsSpeedTimesFasterFromTheEpoch) {
  const Timestamp epoch = Timestamp::FromUnixSeconds(1'800'000'000);
  FakeClock real(epoch);
  ScaledClock clock(epoch, 3600, real);
  EXPECT_EQ(clock.Now(), epoch);
  real.AdvanceSeconds(10);
  EXPECT_EQ(clock.Now(), epoch.PlusSeconds(36'000));
  real.AdvanceNanos(1'000'000);  // 1 ms real = 3.6 s scaled
  EXPECT_EQ(clock.Now(), epoch.PlusSeconds(36'003).PlusNanos(600'000'000));
  EXPECT_EQ(clock.Now().precision(), 3);
  EXPECT_EQ(clock.speed(), 3600);
  EXPECT_EQ(clock.epoch(), epoch);
}

TEST(ScaledClockTest, SpeedOneIsTheRealClockAndBeforeTheEpochRunsBackwardsFast) {
  const Timestamp epoch = Timestamp::FromUnixSeconds(1'800'000'000);
  FakeClock real(epoch.PlusSeconds(123));
  EXPECT_EQ(ScaledClock(epoch, 1, real).Now(), epoch.PlusSeconds(123));
  real.Set(epoch.PlusSeconds(-2));
  EXPECT_EQ(ScaledClock(epoch, 10, real).Now(), epoch.PlusSeconds(-20));
}

TEST(ScaledClockTest, TwoClocksWithTheSameEpochAndSpeedAgree) {
  const Timestamp epoch = Timestamp::FromUnixSeconds(1'800'000'000);
  FakeClock real(epoch.PlusSeconds(77));
  ScaledClock a(epoch, 500, real);
  ScaledClock b(epoch, 500, real);
  EXPECT_EQ(a.Now(), b.Now());
}

TEST(ScaledClockTest, FarEpochAtMaximumSpeedSaturatesInsteadOfOverflowing) {
  FakeClock real(Timestamp::FromUnixSeconds(1'800'000'000));
  ScaledClock clock(Timestamp::FromUnixSeconds(0), ScaledClock::kMaxSpeed, real);
  EXPECT_EQ(clock.Now().Format(), "9999-12-31T23:59:59.999Z");
  ScaledClock past(Timestamp::FromUnixSeconds(1'900'000'000), ScaledClock::kMaxSpeed, real);
  EXPECT_EQ(past.Now().Format(), "0001-01-01T00:00:00.000Z");
}

// Found by fuzz/server_config: with the epoch more than ~292 years after the real time
// ([clock] epoch = "9999-..." at speed 1), real - epoch saturates at INT64_MIN nanoseconds and
// splitting it into seconds overflowed (UB under UBSan). It now floors without overflow.
TEST(ScaledClockTest, SaturatedDeltaAtSpeedOneDoesNotOverflow) {
  FakeClock real(Timestamp::FromUnixSeconds(1'800'000'000));
  const Timestamp epoch = *Timestamp::Parse("9999-01-01T00:00:00Z");
  ScaledClock clock(epoch, 1, real);
  // epoch + INT64_MIN ns = epoch - 9223372036.854775808 s, in whole milliseconds.
  EXPECT_EQ(clock.Now(),
            Timestamp::FromUnixMillis((epoch.unix_seconds() - 9'223'372'037) * 1000 + 145));
}

TEST(ScaledClockTest, WithTheSystemClockMovesForwardFromTheEpoch) {
  const Timestamp epoch = SystemClock::Default().Now();
  ScaledClock clock(epoch, 1000);
  const Timestamp a = clock.Now();
  EXPECT_GE(a, epoch);
  EXPECT_GE(clock.Now(), a);
}

}  // namespace
}  // namespace detente::base
