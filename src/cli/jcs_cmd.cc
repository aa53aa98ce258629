// cli/jcs_cmd.cc: `detente jcs [FILE|-]`: prints the RFC 8785 canonical form of a JSON text.
// Thin: read the input, call base::CanonicalizeJson, map the Status to an exit code.
#include <iostream>
#include <memory>
#include <string>

#include "cli/cli.h"

namespace detente::cli {
namespace {

void RegisterJcs(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "jcs", "Print the RFC 8785 canonical form (JCS) of a JSON text, with no trailing newline");
  cmd->footer(
      "Canonical form: sorted keys (UTF-16 order), no whitespace, ECMAScript number format.\n"
      "Strict: rejects duplicate keys, lone surrogates, invalid UTF-8, numbers outside the\n"
      "double range and nesting deeper than 512 levels.\n"
      "Exit codes: 0 ok; 1 invalid JSON (the message names line and column); 2 unreadable\n"
      "input or bad flags. See docs/formats/canonical-json.md.");
  auto path = std::make_shared<std::string>("-");
  cmd->add_option("file", *path, "JSON file to canonicalize, or - for standard input")
      ->default_str("-");
  cmd->callback([path, exit_code] {
    base::Result<std::string> input = ReadInput(*path);
    if (!input.ok()) {
      ReportError("jcs", input.status());
      *exit_code = kExitUsage;  // any failure to read the input is a usage/I-O error
      return;
    }
    base::Result<std::string> canonical = base::CanonicalizeJson(*input);
    if (!canonical.ok()) {
      *exit_code =
          ReportError("jcs", canonical.status().WithContext(*path == "-" ? "<stdin>" : *path));
      return;
    }
    std::cout.write(canonical->data(), static_cast<std::streamsize>(canonical->size()));
    std::cout.flush();
    if (!std::cout) {
      ReportError("jcs", base::UnavailableError("cannot write standard output"));
      *exit_code = kExitUsage;
    }
  });
}

}  // namespace

DETENTE_REGISTER_COMMANDS(10, RegisterJcs);

}  // namespace detente::cli
