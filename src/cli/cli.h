// cli/cli.h: what the `detente` subcommands share. Each subcommand file (stix_cmd.cc, ...)
// registers itself with DETENTE_REGISTER_COMMANDS and stays thin: parse flags, call a library,
// map the Status to an exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"

namespace detente::cli {

// Exit codes, the same for every subcommand (documented in the README).
inline constexpr int kExitOk = 0;        // success; everything checked holds
inline constexpr int kExitInvalid = 1;   // the input or the thing checked is invalid / failed
inline constexpr int kExitUsage = 2;     // bad flags, unreadable file, I/O error
inline constexpr int kExitInternal = 3;  // a bug or an unexpected environment failure
inline constexpr int kExitUnavailable = 4;  // a server, database or partner is unreachable

// A registrar adds one or more subcommands to `app`. A subcommand's callback stores its exit
// code in *exit_code (which starts at kExitOk).
using Registrar = std::function<void(CLI::App& app, int* exit_code)>;

// Called from static initialisers in the subcommand files; `order` sorts the help listing.
bool RegisterCommands(int order, Registrar registrar);

#define DETENTE_REGISTER_COMMANDS(order, fn) \
  static const bool detente_registered_##fn = ::detente::cli::RegisterCommands(order, fn)

// Reads the whole of `path`, or standard input when `path` is empty or "-".
// Errors: kNotFound, kPermissionDenied, kInvalidArgument (a directory).
base::Result<std::string> ReadInput(const std::string& path);

// The exit code for a failed Status: kInvalidArgument/kDataLoss/kFailedPrecondition -> 1,
// kNotFound/kPermissionDenied/kAlreadyExists (files, flags) -> 2, kUnavailable -> 4, else 3.
int ExitCodeFor(const base::Status& status);

// Prints "detente <command>: <message>" to stderr and returns ExitCodeFor(status).
int ReportError(std::string_view command, const base::Status& status);

// The non-empty comma-separated items of `s` ("a,,b" -> {"a", "b"}).
std::vector<std::string> SplitComma(const std::string& s);

// SplitComma of each of `in`, concatenated (a repeated flag whose values may hold commas).
std::vector<std::string> SplitComma(const std::vector<std::string>& in);

// Prints `rows` to stdout as left-aligned columns separated by two spaces, one line a row.
void PrintTable(const std::vector<std::vector<std::string>>& rows);

// True when stderr is a terminal (progress output is shown only then).
bool StderrIsTerminal();

}  // namespace detente::cli
