// fuzz/pattern_eval_fuzzer.cc: Match() on a fuzzed pattern and fuzzed observations. Input:
// byte 0 picks the STIX version (bit 0) and MatchOptions::cidr_equality (bit 1), then the
// pattern, a NUL byte, and the observations JSON.
// Matching must never crash; the step budget keeps each run short.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pattern/pattern.h"

namespace p = detente::pattern;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const p::StixVersion version = data[0] & 1 ? p::StixVersion::k20 : p::StixVersion::k21;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) return 0;
  auto pattern = p::Parse(rest.substr(0, nul), {.version = version});
  if (!pattern.ok()) return 0;
  boost::system::error_code ec;
  boost::json::parse_options json_options;
  json_options.max_depth = 64;
  boost::json::value json = boost::json::parse(rest.substr(nul + 1), ec, {}, json_options);
  if (ec) return 0;
  auto observations = p::Observations::FromJson(std::move(json), version);
  if (!observations.ok()) return 0;
  p::MatchOptions options;
  options.max_steps = 20000;
  options.cidr_equality = (data[0] & 2) != 0;
  auto matched = p::Match(*pattern, *observations, options);
  (void)matched;
  return 0;
}
