// cli/stix_cmd.cc: `detente stix validate [FILE...|-]` and `detente stix id [FILE|-]`.
// Thin: open the inputs, call stix::ValidateStream / stix::ComputeScoIds, write the lines,
// map the outcome to an exit code. Output format: docs/stix-validation.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "pattern/pattern.h"
#include "stix/stix.h"

namespace detente::cli {
namespace {

// Buffered standard output; remembers write failures.
class Output {
 public:
  ~Output() { Flush(); }
  void Line(std::string_view line) {
    buf_.append(line);
    buf_.push_back('\n');
    if (buf_.size() >= (1 << 16)) Flush();
  }
  void Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), stdout) != buf_.size()) {
      failed_ = true;
    }
    buf_.clear();
    if (std::fflush(stdout) != 0) failed_ = true;
  }
  bool failed() const { return failed_; }

 private:
  std::string buf_;
  bool failed_ = false;
};

// Opens `path` ("-" = standard input) for reading; the fd is closed by the caller.
base::Result<int> OpenInput(const std::string& path) {
  if (path == "-") return STDIN_FILENO;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return base::NotFoundError(path + ": no such file");
    if (err == EACCES) return base::PermissionDeniedError(path + ": permission denied");
    return base::NotFoundError(path + ": " + std::strerror(err));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return base::NotFoundError(path + ": is a directory");
  }
  return fd;
}

void RegisterStix(CLI::App& app, int* exit_code) {
  auto* stix = app.add_subcommand("stix",
                                  "STIX 2.1: validate objects and bundles, compute "
                                  "deterministic SCO ids");
  stix->require_subcommand(1);

  auto* validate = stix->add_subcommand(
      "validate",
      "Validate STIX 2.1 objects against the specification (types, required properties, ids,\n"
      "timestamps, references, vocabularies, markings, extensions).\n"
      "Input: a bundle, one object, a JSON array of objects, or NDJSON (one object or bundle\n"
      "per line); large inputs are streamed. Prints one JSON line per object, in input order:\n"
      "  {\"id\":...,\"valid\":true|false,\"errors\":[{\"path\":\"/created\",\"message\":...}],\n"
      "   \"warnings\":[...],\"index\":N,\"line\":L}\n"
      "A bundle's own line appears only when the bundle envelope is malformed.\n"
      "Exit codes: 0 all valid; 1 any invalid; 2 unreadable input or bad flags.\n"
      "See docs/stix-validation.md.");
  auto files = std::make_shared<std::vector<std::string>>();
  auto check_ids = std::make_shared<bool>(false);
  validate->add_option("files", *files, "input files, or - for standard input (default)");
  validate->add_flag("--check-sco-ids", *check_ids,
                     "warn when an SCO id is not its deterministic UUIDv5 id");
  validate->callback([files, check_ids, exit_code] {
    std::vector<std::string> inputs = files->empty() ? std::vector<std::string>{"-"} : *files;
    stix::ValidatorOptions options;
    options.check_sco_ids = *check_ids;
    options.check_pattern = [](std::string_view text, std::string_view version) {
      pattern::ParseOptions parse_options;
      if (version == "2.0") parse_options.version = pattern::StixVersion::k20;
      auto parsed = pattern::ParseAndValidate(text, parse_options);
      return parsed.ok() ? std::string() : std::string(parsed.status().message());
    };
    Output out;
    bool any_invalid = false;
    for (const std::string& path : inputs) {
      auto fd = OpenInput(path);
      if (!fd.ok()) {
        out.Flush();
        ReportError("stix validate", fd.status());
        *exit_code = kExitUsage;
        return;
      }
      stix::FdByteSource source(*fd);
      auto summary =
          stix::ValidateStream(&source, options, [&out](std::string_view line) { out.Line(line); });
      if (*fd != STDIN_FILENO) ::close(*fd);
      if (!summary.ok()) {
        out.Flush();
        ReportError("stix validate", summary.status().WithContext(path));
        *exit_code = kExitUsage;
        return;
      }
      if (summary->invalid > 0) any_invalid = true;
    }
    out.Flush();
    if (out.failed()) {
      ReportError("stix validate", base::UnavailableError("cannot write standard output"));
      *exit_code = kExitUsage;
      return;
    }
    *exit_code = any_invalid ? kExitInvalid : kExitOk;
  });

  auto* id = stix->add_subcommand(
      "id",
      "Print the deterministic id of every SCO in the input, one JSON line {\"id\":\"...\"}\n"
      "per SCO in input order (other objects are skipped). The id is the UUIDv5 of the RFC 8785\n"
      "form of the SCO's ID Contributing Properties (STIX 2.1 section 2.9).\n"
      "An SCO without any contributing property (always the case for process) has no\n"
      "deterministic id: its line is {\"id\":null,\"error\":...}.\n"
      "Exit codes: 0 ok; 1 an SCO without deterministic id or an unreadable item;\n"
      "2 unreadable input or bad flags.");
  auto id_file = std::make_shared<std::string>("-");
  id->add_option("file", *id_file, "input file, or - for standard input")->default_str("-");
  id->callback([id_file, exit_code] {
    auto fd = OpenInput(*id_file);
    if (!fd.ok()) {
      ReportError("stix id", fd.status());
      *exit_code = kExitUsage;
      return;
    }
    Output out;
    stix::FdByteSource source(*fd);
    auto summary = stix::ComputeScoIds(&source, stix::ReaderOptions{},
                                       [&out](std::string_view line) { out.Line(line); });
    if (*fd != STDIN_FILENO) ::close(*fd);
    out.Flush();
    if (!summary.ok()) {
      ReportError("stix id", summary.status().WithContext(*id_file));
      *exit_code = kExitUsage;
      return;
    }
    if (out.failed()) {
      ReportError("stix id", base::UnavailableError("cannot write standard output"));
      *exit_code = kExitUsage;
      return;
    }
    *exit_code = summary->invalid > 0 ? kExitInvalid : kExitOk;
  });
}

}  // namespace

DETENTE_REGISTER_COMMANDS(20, RegisterStix);

}  // namespace detente::cli
