// cli/pattern_cmd.cc: `detente pattern validate` and `detente pattern match`. Thin: read
// patterns (and observations), call the pattern module, print results, map to exit codes.
// The NDJSON formats are documented in docs/patterns.md.
#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "pattern/pattern.h"

namespace detente::cli {
namespace {

namespace json = boost::json;

// Maximum nesting accepted in one NDJSON line (observations are nested STIX objects).
constexpr unsigned kMaxLineDepth = 256;

struct PatternFlags {
  std::string version = "2.1";
  std::string ndjson;
  std::string pattern;
  bool canonical = false;
  bool cidr_equality = false;
};

pattern::StixVersion ToVersion(const std::string& v) {
  return v == "2.0" ? pattern::StixVersion::k20 : pattern::StixVersion::k21;
}

// Runs `fn(line_number, line)` for every non-blank line of `path` ("-" = stdin).
template <typename Fn>
base::Status ForEachLine(const std::string& path, Fn fn) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return base::NotFoundError(path + ": cannot open");
    in = &file;
  }
  std::string line;
  size_t number = 0;
  while (std::getline(*in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    fn(number, line);
  }
  if (in->bad()) return base::UnavailableError("cannot read " + path);
  return base::OkStatus();
}

// Parses one NDJSON line into an object, or sets *error to "line N: ...".
bool ParseLine(size_t number, const std::string& line, json::value* out, std::string* error) {
  json::parse_options options;
  options.max_depth = kMaxLineDepth;
  boost::system::error_code ec;
  *out = json::parse(line, ec, {}, options);
  if (ec) {
    *error = "line " + std::to_string(number) + ": invalid JSON: " + ec.message();
    return false;
  }
  if (!out->is_object()) {
    *error = "line " + std::to_string(number) + ": expected a JSON object";
    return false;
  }
  const json::value* p = out->as_object().if_contains("pattern");
  if (p == nullptr || !p->is_string()) {
    *error = "line " + std::to_string(number) + ": \"pattern\" must be a string";
    return false;
  }
  return true;
}

// The STIX version of a line: its "stix_version" member when present, else the flag.
pattern::StixVersion LineVersion(const json::object& o, pattern::StixVersion fallback) {
  const json::value* v = o.if_contains("stix_version");
  if (v != nullptr && v->is_string()) return ToVersion(std::string(v->as_string()));
  return fallback;
}

void Emit(const json::object& o) { std::cout << json::serialize(o) << '\n'; }

int RunValidate(const PatternFlags& flags) {
  pattern::StixVersion version = ToVersion(flags.version);
  if (flags.ndjson.empty()) {
    if (flags.pattern.empty()) {
      ReportError("pattern validate",
                  base::InvalidArgumentError("give a PATTERN or --ndjson FILE"));
      return kExitUsage;
    }
    auto parsed = pattern::ParseAndValidate(flags.pattern, {.version = version});
    if (!parsed.ok()) return ReportError("pattern validate", parsed.status());
    if (flags.canonical) std::cout << pattern::Print(*parsed) << '\n';
    return kExitOk;
  }
  bool all_valid = true;
  base::Status read = ForEachLine(flags.ndjson, [&](size_t number, const std::string& line) {
    json::value v;
    std::string error;
    json::object out;
    if (!ParseLine(number, line, &v, &error)) {
      out["valid"] = false;
      out["error"] = error;
    } else {
      const json::object& o = v.as_object();
      auto parsed = pattern::ParseAndValidate(std::string_view(o.at("pattern").as_string()),
                                              {.version = LineVersion(o, version)});
      out["valid"] = parsed.ok();
      if (!parsed.ok()) out["error"] = parsed.status().message();
      if (parsed.ok() && flags.canonical) out["canonical"] = pattern::Print(*parsed);
    }
    all_valid &= out["valid"].as_bool();
    Emit(out);
  });
  std::cout.flush();
  if (!read.ok()) {
    ReportError("pattern validate", read);
    return kExitUsage;
  }
  return all_valid ? kExitOk : kExitInvalid;
}

int RunMatch(const PatternFlags& flags) {
  pattern::StixVersion version = ToVersion(flags.version);
  bool all_ok = true;
  base::Status read = ForEachLine(flags.ndjson, [&](size_t number, const std::string& line) {
    json::value v;
    std::string error;
    json::object out;
    if (!ParseLine(number, line, &v, &error)) {
      out["error"] = error;
    } else {
      json::object& o = v.as_object();
      pattern::StixVersion line_version = LineVersion(o, version);
      auto parsed =
          pattern::Parse(std::string_view(o.at("pattern").as_string()), {.version = line_version});
      json::value* observations = o.if_contains("observations");
      if (!parsed.ok()) {
        out["error"] = "pattern: " + parsed.status().message();
      } else if (observations == nullptr) {
        out["error"] = "line " + std::to_string(number) + ": \"observations\" is missing";
      } else {
        auto obs = pattern::Observations::FromJson(std::move(*observations), line_version);
        if (!obs.ok()) {
          out["error"] = "observations: " + obs.status().message();
        } else {
          pattern::MatchOptions options;
          options.cidr_equality = flags.cidr_equality;
          auto matched = pattern::Match(*parsed, *obs, options);
          if (matched.ok()) {
            out["matched"] = *matched;
          } else {
            out["error"] = "match: " + matched.status().message();
          }
        }
      }
    }
    all_ok &= out.contains("matched");
    Emit(out);
  });
  std::cout.flush();
  if (!read.ok()) {
    ReportError("pattern match", read);
    return kExitUsage;
  }
  return all_ok ? kExitOk : kExitInvalid;
}

void RegisterPattern(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "pattern", "STIX patterning: validate patterns, match them against observed-data");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<PatternFlags>();

  auto* validate = cmd->add_subcommand(
      "validate",
      "Check a STIX pattern (grammar and semantic checks: hash values by algorithm, qualifier\n"
      "ranges, regexes, IP literals).\n"
      "With --ndjson, reads lines {\"pattern\": \"...\"[, \"stix_version\": \"2.0\"]} and writes\n"
      "one line {\"valid\": true} or {\"valid\": false, \"error\": \"...\"} per input line.\n"
      "Exit codes: 0 all valid; 1 some pattern invalid (the error names line:column);\n"
      "2 bad flags or unreadable input. See docs/patterns.md.");
  validate->add_option("--stix-version", flags->version, "STIX version: 2.0 or 2.1")
      ->check(CLI::IsMember({"2.0", "2.1"}))
      ->default_str("2.1");
  validate->add_option("--ndjson", flags->ndjson, "NDJSON file of patterns, or - for stdin");
  validate->add_flag("--canonical", flags->canonical, "Also print the canonical form");
  validate->add_option("pattern", flags->pattern, "The pattern to check");
  validate->callback([flags, exit_code] { *exit_code = RunValidate(*flags); });

  auto* match = cmd->add_subcommand(
      "match",
      "Match patterns against observations (reference semantics; see docs/patterns.md).\n"
      "Reads NDJSON lines {\"pattern\": \"...\", \"observations\": [...]} (2.1 bundles, or 2.0\n"
      "observed-data with an `objects` dictionary) and writes one line {\"matched\": bool}\n"
      "or {\"error\": \"...\"} per input line, in order.\n"
      "Exit codes: 0 every line evaluated; 1 some line had an error; 2 bad flags or\n"
      "unreadable input.");
  match->add_option("--stix-version", flags->version, "STIX version: 2.0 or 2.1")
      ->check(CLI::IsMember({"2.0", "2.1"}))
      ->default_str("2.1");
  match->add_option("--ndjson", flags->ndjson, "NDJSON file, or - for stdin")->required();
  match->add_flag("--cidr-equality", flags->cidr_equality,
                  "'=', '!=' and IN compare ipv4-addr/ipv6-addr values with CIDR-form literals\n"
                  "by containment, as `detente match` does (default: string equality, as the\n"
                  "OASIS reference matcher)");
  match->callback([flags, exit_code] { *exit_code = RunMatch(*flags); });
}

}  // namespace

DETENTE_REGISTER_COMMANDS(30, RegisterPattern);

}  // namespace detente::cli
