// cli/main.cc: the `detente` executable. Subcommands register themselves (see cli.h); this
// file only builds the CLI11 app, runs it and returns the exit code.
#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

#include "cli/cli.h"

#ifndef DETENTE_VERSION
#define DETENTE_VERSION "0.0.0"
#endif

namespace detente::cli {
namespace {
std::vector<std::pair<int, Registrar>>& Registry() {
  static std::vector<std::pair<int, Registrar>> registry;
  return registry;
}
}  // namespace

bool RegisterCommands(int order, Registrar registrar) {
  Registry().emplace_back(order, std::move(registrar));
  return true;
}

}  // namespace detente::cli

int main(int argc, char** argv) {
  using namespace detente::cli;
  CLI::App app{
      "detente: the node software of a cyber accord between parties who do not trust each "
      "other.\nShares STIX 2.1 over TAXII 2.1, tracks requests and deadlines, and records every "
      "message in a signed, witnessed Merkle log."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  int exit_code = kExitOk;

  auto* version = app.add_subcommand("version", "Print detente's version");
  version->callback([] { std::cout << "detente " << DETENTE_VERSION << "\n"; });
  app.set_version_flag("--version", std::string("detente ") + DETENTE_VERSION);

  auto& registry = detente::cli::Registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, registrar] : registry) registrar(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  return exit_code;
}
