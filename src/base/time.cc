// base/time.cc: RFC 3339 parsing and formatting, and the clocks. Tested by time_test.cc.
//
// Civil-date arithmetic uses the proleptic Gregorian calendar with the well-known
// days-from-civil / civil-from-days conversion (eras of 400 years = 146097 days), so it needs no
// tables, no time zone database and no locale.
#include "base/time.h"

#include <time.h>

#include <limits>
#include <string>

namespace detente::base {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int kMaxPrecision = 9;
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;
// Error messages quote at most this much of the input.
constexpr size_t kMaxQuoted = 64;

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of the civil date y-m-d (m 1..12, d 1..31).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                          // [0, 399]
  const int64_t mp = (m + 9) % 12;                            // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + d - 1;             // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month;
  int day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

// A cursor over the text being parsed; errors name the part and the byte offset.
class TimeParser {
 public:
  TimeParser(std::string_view text, bool stix) : text_(text), stix_(stix) {}

  Result<Timestamp> Run() {
    int64_t year = 0;
    int month = 0, day = 0, hour = 0, minute = 0, second = 0;
    RETURN_IF_ERROR(Digits(4, "year", &year));
    if (year < 1) return Error("year 0000 out of range (0001-9999)", 0);
    RETURN_IF_ERROR(Expect('-', "'-' after the year"));
    RETURN_IF_ERROR(Field(2, "month", 1, 12, &month));
    RETURN_IF_ERROR(Expect('-', "'-' after the month"));
    size_t day_pos = pos_;
    RETURN_IF_ERROR(Field(2, "day", 1, 31, &day));
    if (day > DaysInMonth(year, month)) {
      return Error("day " + std::to_string(day) + " out of range for " + std::to_string(year) +
                       "-" + (month < 10 ? "0" : "") + std::to_string(month),
                   day_pos);
    }
    if (stix_) {
      RETURN_IF_ERROR(Expect('T', "'T' between date and time"));
    } else if (!Accept('T') && !Accept('t')) {
      return Error("expected 'T' between date and time", pos_);
    }
    RETURN_IF_ERROR(Field(2, "hour", 0, 23, &hour));
    RETURN_IF_ERROR(Expect(':', "':' after the hour"));
    RETURN_IF_ERROR(Field(2, "minute", 0, 59, &minute));
    RETURN_IF_ERROR(Expect(':', "':' after the minute"));
    RETURN_IF_ERROR(Field(2, "second", 0, 59, &second));

    int32_t nanos = 0;
    int precision = 0;
    if (Accept('.')) {
      size_t start = pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) {
        if (precision == kMaxPrecision) {
          return Error("more than 9 fractional-second digits", pos_);
        }
        nanos = nanos * 10 + (text_[pos_] - '0');
        ++precision;
        ++pos_;
      }
      if (pos_ == start) return Error("expected a digit after '.'", pos_);
      for (int i = precision; i < kMaxPrecision; ++i) nanos *= 10;
    }

    int64_t offset_seconds = 0;
    if (stix_) {
      if (pos_ < text_.size() && text_[pos_] != 'Z') {
        return Error("expected 'Z' (STIX timestamps are UTC with an upper-case 'Z')", pos_);
      }
      RETURN_IF_ERROR(Expect('Z', "'Z'"));
    } else if (!Accept('Z') && !Accept('z')) {
      if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) {
        return Error("expected a time offset ('Z' or +hh:mm/-hh:mm)", pos_);
      }
      const int sign = text_[pos_] == '-' ? -1 : 1;
      ++pos_;
      int oh = 0, om = 0;
      RETURN_IF_ERROR(Field(2, "offset hour", 0, 23, &oh));
      RETURN_IF_ERROR(Expect(':', "':' in the time offset"));
      RETURN_IF_ERROR(Field(2, "offset minute", 0, 59, &om));
      offset_seconds = sign * (oh * 3600 + om * 60);
    }
    if (pos_ != text_.size()) return Error("unexpected trailing characters", pos_);

    const int64_t local =
        DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
    const int64_t utc = local - offset_seconds;
    // Keep every parsed instant formattable and re-parseable: 0001-01-01 to 9999-12-31 in UTC.
    if (utc < kMinSeconds || utc > kMaxSeconds) {
      return Error("instant outside years 0001-9999 once the offset is applied", 0);
    }
    return Timestamp::FromUnixSeconds(utc, nanos, precision);
  }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  Status Error(const std::string& what, size_t at) const {
    std::string quoted(text_.substr(0, kMaxQuoted));
    if (text_.size() > kMaxQuoted) quoted += "...";
    return InvalidArgumentError("timestamp \"" + quoted + "\": " + what + " at offset " +
                                std::to_string(at));
  }

  bool Accept(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Status Expect(char c, const char* what) {
    if (Accept(c)) return OkStatus();
    return Error(std::string("expected ") + what, pos_);
  }

  Status Digits(int n, const char* what, int64_t* out) {
    int64_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return Error(std::string("expected ") + std::to_string(n) + "-digit " + what, pos_);
      }
      v = v * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    *out = v;
    return OkStatus();
  }

  Status Field(int n, const char* what, int lo, int hi, int* out) {
    size_t start = pos_;
    int64_t v = 0;
    RETURN_IF_ERROR(Digits(n, what, &v));
    if (v < lo || v > hi) {
      return Error(std::string(what) + " " + std::to_string(v) + " out of range (" +
                       std::to_string(lo) + "-" + std::to_string(hi) + ")",
                   start);
    }
    *out = static_cast<int>(v);
    return OkStatus();
  }

  std::string_view text_;
  bool stix_;
  size_t pos_ = 0;
};

void AppendPadded(std::string* out, int64_t v, int width) {
  std::string digits = std::to_string(v);
  if (static_cast<int>(digits.size()) < width) out->append(width - digits.size(), '0');
  *out += digits;
}

}  // namespace

Result<Timestamp> Timestamp::Parse(std::string_view text) { return TimeParser(text, false).Run(); }

Result<Timestamp> Timestamp::ParseStix(std::string_view text) {
  return TimeParser(text, true).Run();
}

Timestamp Timestamp::FromUnixSeconds(int64_t seconds, int32_t nanos, int precision) {
  Timestamp t;
  t.seconds_ = seconds + FloorDiv(nanos, kNanosPerSecond);
  int64_t n = nanos % kNanosPerSecond;
  if (n < 0) n += kNanosPerSecond;
  t.nanos_ = static_cast<int32_t>(n);
  t.precision_ = precision < 0 ? 0 : (precision > kMaxPrecision ? kMaxPrecision : precision);
  return t;
}

Timestamp Timestamp::FromUnixMillis(int64_t millis) {
  return FromUnixSeconds(FloorDiv(millis, 1000),
                         static_cast<int32_t>((millis - FloorDiv(millis, 1000) * 1000) * 1'000'000),
                         3);
}

Timestamp Timestamp::FromUnixNanos(int64_t nanos) {
  const int64_t s = FloorDiv(nanos, kNanosPerSecond);
  return FromUnixSeconds(s, static_cast<int32_t>(nanos - s * kNanosPerSecond), kMaxPrecision);
}

int64_t Timestamp::unix_millis() const { return seconds_ * 1000 + nanos_ / 1'000'000; }

std::string Timestamp::Format() const { return FormatWithPrecision(precision_); }

std::string Timestamp::FormatWithPrecision(int digits) const {
  if (digits < 0) digits = 0;
  if (digits > kMaxPrecision) digits = kMaxPrecision;
  const int64_t days = FloorDiv(seconds_, kSecondsPerDay);
  const int64_t sod = seconds_ - days * kSecondsPerDay;
  const Civil c = CivilFromDays(days);
  std::string out;
  out.reserve(32);
  if (c.year < 0) {
    out += '-';
    AppendPadded(&out, -c.year, 4);
  } else {
    AppendPadded(&out, c.year, 4);
  }
  out += '-';
  AppendPadded(&out, c.month, 2);
  out += '-';
  AppendPadded(&out, c.day, 2);
  out += 'T';
  AppendPadded(&out, sod / 3600, 2);
  out += ':';
  AppendPadded(&out, sod / 60 % 60, 2);
  out += ':';
  AppendPadded(&out, sod % 60, 2);
  if (digits > 0) {
    out += '.';
    std::string frac;
    AppendPadded(&frac, nanos_, kMaxPrecision);
    out.append(frac, 0, static_cast<size_t>(digits));  // truncation, never rounding
  }
  out += 'Z';
  return out;
}

Timestamp Timestamp::PlusNanos(int64_t delta) const {
  Timestamp t = *this;
  const int64_t ds = FloorDiv(delta, kNanosPerSecond);
  int64_t n = nanos_ + (delta - ds * kNanosPerSecond);
  t.seconds_ = seconds_ + ds;
  if (n >= kNanosPerSecond) {
    n -= kNanosPerSecond;
    ++t.seconds_;
  }
  t.nanos_ = static_cast<int32_t>(n);
  return t;
}

int64_t Timestamp::NanosSince(const Timestamp& other) const {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  int64_t ds, scaled, result;
  if (__builtin_sub_overflow(seconds_, other.seconds_, &ds))
    return seconds_ > other.seconds_ ? kMax : kMin;
  if (__builtin_mul_overflow(ds, kNanosPerSecond, &scaled)) return ds > 0 ? kMax : kMin;
  if (__builtin_add_overflow(scaled, int64_t{nanos_} - other.nanos_, &result)) {
    return scaled > 0 ? kMax : kMin;
  }
  return result;
}

Timestamp SystemClock::Now() const {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  // Truncated to whole milliseconds so that Format() and a later Parse() give the same instant.
  return Timestamp::FromUnixSeconds(ts.tv_sec,
                                    static_cast<int32_t>(ts.tv_nsec / 1'000'000 * 1'000'000), 3);
}

SystemClock& SystemClock::Default() {
  static SystemClock clock;
  return clock;
}

Timestamp FakeClock::Now() const {
  Timestamp t = Timestamp::FromUnixNanos(nanos_.load());
  return Timestamp::FromUnixSeconds(t.unix_seconds(), t.nanos(),
                                    t.nanos() % 1'000'000 == 0 ? 3 : 9);
}

Timestamp ScaledClock::Now() const {
  static const Timestamp kLatest = Timestamp::FromUnixSeconds(kMaxSeconds, 999'000'000, 3);
  static const Timestamp kEarliest = Timestamp::FromUnixSeconds(kMinSeconds, 0, 3);
  // (real - epoch) saturates at about 292 years in int64 nanoseconds; so does its product with
  // speed, and either way the result is past the representable range, hence the clamp.
  const int64_t delta = real_.Now().NanosSince(epoch_);
  int64_t scaled = 0;
  if (__builtin_mul_overflow(delta, speed_, &scaled)) return delta > 0 ? kLatest : kEarliest;
  // Floor division without multiplying back (whole * 1e9 overflows when scaled is within a
  // second of INT64_MIN, e.g. a saturated delta at speed 1).
  int64_t whole = scaled / kNanosPerSecond;
  int64_t rem = scaled % kNanosPerSecond;
  if (rem < 0) {
    rem += kNanosPerSecond;
    --whole;
  }
  const int64_t seconds = epoch_.unix_seconds() + whole;  // both far from int64 limits
  const int64_t nanos = epoch_.nanos() + rem;
  Timestamp t = Timestamp::FromUnixSeconds(seconds, static_cast<int32_t>(nanos), 3);
  if (t > kLatest) return kLatest;
  if (t < kEarliest) return kEarliest;
  // Whole milliseconds, as SystemClock, so that Format() and Parse() round-trip.
  return Timestamp::FromUnixMillis(t.unix_millis());
}

}  // namespace detente::base
