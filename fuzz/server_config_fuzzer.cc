// server_config_fuzzer: config.toml (server::ParseConfig) with the focus on the [clock] table.
// Byte 0 picks how the rest is used: 0: as the whole file; 1: appended after a valid node
// config and a "[clock]" line (so the fuzzer works inside the table); 2: as the value of
// clock.epoch (quoted as a TOML basic string) with speed from the first 4 bytes; 3: as the
// value of clock.speed, raw. An accepted config must pass CheckClockConfig, survive
// FormatConfig -> ParseConfig unchanged, and give a clock (the node's ScaledClock, driven by a
// FakeClock at the epoch, at the extremes of the representable range and beyond) whose Now()
// is monotonic and formats and parses back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "server/server.h"

namespace {

using namespace detente;

constexpr char kBase[] =
    "party = \"beta\"\nlisten = \"127.0.0.1:0\"\ndatabase = \"sqlite:node.db\"\n";

bool SameConfig(const server::NodeConfig& a, const server::NodeConfig& b) {
  return a.party == b.party && a.listen == b.listen && a.database == b.database &&
         a.tls_cert == b.tls_cert && a.tls_key == b.tls_key &&
         a.max_content_length == b.max_content_length && a.max_header_bytes == b.max_header_bytes &&
         a.worker_threads == b.worker_threads && a.sync_interval == b.sync_interval &&
         a.clock_speed == b.clock_speed && a.clock_epoch.has_value() == b.clock_epoch.has_value() &&
         (!a.clock_epoch || *a.clock_epoch == *b.clock_epoch);
}

void CheckClock(const server::NodeConfig& c) {
  if (!c.clock_epoch) return;
  const base::Timestamp epoch = *c.clock_epoch;
  // The real clock at the epoch, a little later, and at far instants (FakeClock holds int64
  // nanoseconds: years 1678-2261).
  const base::Timestamp reals[] = {
      base::Timestamp::FromUnixSeconds(-9'000'000'000),
      base::Timestamp::FromUnixSeconds(0),
      base::Timestamp::FromUnixSeconds(1'767'225'600),
      base::Timestamp::FromUnixSeconds(9'000'000'000),
  };
  base::Timestamp prev;
  bool first = true;
  for (const base::Timestamp& r : reals) {
    base::FakeClock real(r);
    base::ScaledClock clock(epoch, c.clock_speed, real);
    base::Timestamp now = clock.Now();
    if (!first && now < prev) std::abort();  // real time went forward: so must scaled time
    first = false;
    prev = now;
    auto back = base::Timestamp::Parse(now.Format());
    if (!back.ok() || *back != now) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string text;
  switch (data[0] & 3) {
    case 0:
      text = std::string(rest);
      break;
    case 1:
      text = std::string(kBase) + "[clock]\n" + std::string(rest);
      break;
    case 2: {
      int32_t speed = 1;
      if (rest.size() >= 4) {
        std::memcpy(&speed, rest.data(), 4);
        rest.remove_prefix(4);
      }
      std::string quoted;
      for (char ch : rest) {
        if (ch == '"' || ch == '\\') quoted += '\\';
        quoted += ch;
      }
      text = std::string(kBase) + "[clock]\nspeed = " + std::to_string(speed) + "\nepoch = \"" +
             quoted + "\"\n";
      break;
    }
    default:
      text = std::string(kBase) +
             "[clock]\nepoch = \"2026-01-01T00:00:00Z\"\nspeed = " + std::string(rest) + "\n";
      break;
  }
  auto config = server::ParseConfig(text, "config.toml");
  if (!config.ok()) {
    if (config.status().code() != base::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (!server::CheckClockConfig(*config).ok()) std::abort();
  auto again = server::ParseConfig(server::FormatConfig(*config), "formatted.toml");
  if (!again.ok() || !SameConfig(*config, *again)) std::abort();
  CheckClock(*config);
  return 0;
}
