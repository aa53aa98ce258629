// base/time.h: RFC 3339 timestamps with STIX 2.1 precision rules, and an injectable Clock.
//
// A Timestamp is an instant (seconds since the Unix epoch plus nanoseconds, UTC) together with
// the number of fractional-second digits it was written with, so that a parsed STIX timestamp
// can be formatted back exactly. Ordering and equality compare the instant only.
//
// Thread-safety: Timestamp is a value. SystemClock, FakeClock and ScaledClock are thread-safe.
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace detente::base {

class Timestamp {
 public:
  // 1970-01-01T00:00:00Z.
  Timestamp() = default;

  // Any RFC 3339 date-time: separator 'T' or 't' (not ' '); offset 'Z', 'z' or +hh:mm / -hh:mm;
  // 0-9 fractional digits (a '.' needs at least one); leap second 60 is rejected (not folded).
  // Years 0001-9999, also after the offset is applied; the day is checked against the month
  // (leap years). Normalised to UTC.
  // Errors: kInvalidArgument naming the offending part and its byte offset, e.g.
  // "timestamp \"2016-13-01T00:00:00Z\": month 13 out of range (1-12) at offset 5".
  static Result<Timestamp> Parse(std::string_view text);

  // The STIX 2.1 timestamp form (section 2.16): YYYY-MM-DDTHH:mm:ss[.s+]Z, UTC with an
  // upper-case 'Z' and 'T', at least one digit after a '.', at most 9 digits (the spec allows
  // more but warns they do not survive storage; we reject rather than silently truncate).
  // This does NOT check the created/modified millisecond rule: see has_millisecond_precision().
  static Result<Timestamp> ParseStix(std::string_view text);

  // `nanos` may be outside 0..999'999'999 (it is normalised); `precision` is clamped to 0..9.
  static Timestamp FromUnixSeconds(int64_t seconds, int32_t nanos = 0, int precision = 0);
  // Precision 3.
  static Timestamp FromUnixMillis(int64_t millis);
  // Precision 9.
  static Timestamp FromUnixNanos(int64_t nanos);

  int64_t unix_seconds() const { return seconds_; }
  int32_t nanos() const { return nanos_; }
  // Milliseconds since the epoch (floor).
  int64_t unix_millis() const;
  // Fractional digits this timestamp was written with (0-9); the formatting default.
  int precision() const { return precision_; }
  // STIX 2.1 section 3.2 (created, modified): "The minimum precision MUST be milliseconds
  // (three digits after the decimal place in seconds), but MAY be more precise." True when the
  // timestamp was written with at least 3 fractional digits.
  bool has_millisecond_precision() const { return precision_ >= 3; }

  // RFC 3339 in UTC with 'Z' and precision() fractional digits (truncated, never rounded).
  std::string Format() const;
  // Same with exactly `digits` fractional digits (0-9).
  std::string FormatWithPrecision(int digits) const;
  // Exactly three fractional digits: the STIX form for created/modified.
  std::string FormatMillis() const { return FormatWithPrecision(3); }

  // Adds (or subtracts) whole nanoseconds; precision is kept.
  Timestamp PlusNanos(int64_t delta) const;
  Timestamp PlusSeconds(int64_t delta) const { return PlusNanos(delta * 1'000'000'000); }
  // this - other, in nanoseconds (saturating).
  int64_t NanosSince(const Timestamp& other) const;

  friend bool operator==(const Timestamp& a, const Timestamp& b) {
    return a.seconds_ == b.seconds_ && a.nanos_ == b.nanos_;
  }
  friend std::strong_ordering operator<=>(const Timestamp& a, const Timestamp& b) {
    if (auto c = a.seconds_ <=> b.seconds_; c != 0) return c;
    return a.nanos_ <=> b.nanos_;
  }

 private:
  int64_t seconds_ = 0;
  int32_t nanos_ = 0;  // 0..999'999'999
  int32_t precision_ = 0;
};

// The source of "now". Everything that reads time takes a Clock& so tests can inject one.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// Wall-clock time (CLOCK_REALTIME) truncated to whole milliseconds, precision 3.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
  // A process-wide instance.
  static SystemClock& Default();
};

// A clock that moves only when told to. Thread-safe. Now() has precision 3 when the instant is a
// whole millisecond, else 9. The instant must lie within int64 nanoseconds (years 1678-2261).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : nanos_(ToNanos(start)) {}
  Timestamp Now() const override;
  void Set(Timestamp t) { nanos_.store(ToNanos(t)); }
  void AdvanceNanos(int64_t delta) { nanos_.fetch_add(delta); }
  void AdvanceSeconds(int64_t delta) { AdvanceNanos(delta * 1'000'000'000); }

 private:
  static int64_t ToNanos(Timestamp t) { return t.unix_seconds() * 1'000'000'000 + t.nanos(); }
  std::atomic<int64_t> nanos_;
};

// A fast clock for demos and drills: time runs `speed` times faster than `real` from a fixed
// `epoch`, so now = epoch + speed * (real.Now() - epoch). Processes given the same epoch and
// speed agree on time (within speed times their real clocks' skew). Now() is truncated to whole
// milliseconds (precision 3) and saturates at 9999-12-31T23:59:59.999Z and at 0001-01-01.
// Speed 1 is the real clock. Thread-safe: immutable after construction.
// REQUIRES: speed >= 1 (kMinSpeed..kMaxSpeed are what configurations accept); `real` outlives
// this clock.
class ScaledClock final : public Clock {
 public:
  static constexpr int64_t kMinSpeed = 1;
  static constexpr int64_t kMaxSpeed = 100'000;

  ScaledClock(Timestamp epoch, int64_t speed, const Clock& real = SystemClock::Default())
      : epoch_(epoch), speed_(speed < 1 ? 1 : speed), real_(real) {}
  Timestamp Now() const override;

  Timestamp epoch() const { return epoch_; }
  int64_t speed() const { return speed_; }

 private:
  const Timestamp epoch_;
  const int64_t speed_;
  const Clock& real_;
};

}  // namespace detente::base
