// cli/log_cmd.cc: the `log`, `proof` and `note` subcommands over ledger/ledger.h.
// Thin: parse flags, call the ledger library, print, map the Status to an exit code.
// Formats: docs/formats/ledger.md.
#include <boost/json.hpp>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli.h"
#include "ledger/ledger.h"

namespace detente::cli {
namespace {

using ledger::Hash;

constexpr size_t kDefaultBatch = 65536;
constexpr size_t kBatchBytes = 16 << 20;        // also cut a batch at 16 MiB of entry bytes
constexpr size_t kMaxProofLineBytes = 1 << 20;  // a proof line is a few KiB at most

boost::json::array HexList(const std::vector<Hash>& hashes) {
  boost::json::array a;
  for (const Hash& h : hashes) a.emplace_back(ledger::HashToHex(h));
  return a;
}

// CLI11 converts "-1" and out-of-range numbers to a uint64_t without complaint (strtoull
// wraps and saturates), so an index or size argument is checked to be plain decimal digits
// that fit in 64 bits before the conversion.
const CLI::Validator kUint64Arg(
    [](std::string& value) -> std::string {
      uint64_t parsed = 0;
      const char* end = value.data() + value.size();
      auto [ptr, ec] = std::from_chars(value.data(), end, parsed);
      if (value.empty() || ec != std::errc() || ptr != end) {
        return "must be a non-negative integer below 2^64, got '" + value.substr(0, 40) + "'";
      }
      return std::string();
    },
    "UINT64");

void PrintJson(const boost::json::object& o) { std::cout << boost::json::serialize(o) << "\n"; }

base::Result<std::unique_ptr<ledger::Log>> OpenLog(const std::string& dir, bool write) {
  ledger::LogOptions options;
  options.read_only = !write;
  return ledger::Log::Open(dir, options);
}

// --key FILE: a note signer key ("PRIVATE+KEY+<name>+...", name must be the origin) or an
// Ed25519 PKCS#8 PEM. `text` is the content of the file `path`.
base::Result<crypto::SigningKey> ParseKey(const std::string& text, const std::string& path,
                                          const std::string& origin) {
  if (text.rfind("PRIVATE+KEY+", 0) == 0) {
    ASSIGN_OR_RETURN(ledger::NoteSigner s, ledger::NoteSigner::Parse(text));
    if (s.type() != ledger::kNoteTypeEd25519) {
      return base::InvalidArgumentError(path + ": not an Ed25519 (type 0x01) note key");
    }
    if (s.name() != origin) {
      return base::InvalidArgumentError(path + ": key name \"" + s.name() +
                                        "\" differs from the origin \"" + origin + "\"");
    }
    return s.key();
  }
  auto k = crypto::SigningKey::FromPem(text);
  if (!k.ok()) return k.status().WithContext(path);
  return k;
}

void AddInit(CLI::App& parent, int* exit_code) {
  auto* cmd = parent.add_subcommand("init", "Create a log: database, key (0600) and origin in DIR");
  auto dir = std::make_shared<std::string>();
  auto origin = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "Log directory (created if missing)")->required();
  cmd->add_option("--origin", *origin, "The log's origin line, also its key name")->required();
  cmd->add_option("--key", *key,
                  "Ed25519 key to use: PKCS#8 PEM or a note signer key "
                  "(PRIVATE+KEY+<origin>+...); default: a new key");
  cmd->callback([=] {
    std::optional<crypto::SigningKey> sk;
    if (!key->empty()) {
      auto text = ReadInput(*key);
      if (!text.ok()) {  // an unreadable key file is a usage error, like a missing one
        ReportError("log init", text.status());
        *exit_code = kExitUsage;
        return;
      }
      auto k = ParseKey(*text, *key, *origin);
      if (!k.ok()) {
        *exit_code = ReportError("log init", k.status());
        return;
      }
      sk = *k;
    }
    auto log = ledger::Log::Create(*dir, *origin, sk);
    if (!log.ok()) {
      *exit_code = ReportError("log init", log.status());
      return;
    }
    std::cout << (*log)->verifier().ToText() << "\n";
  });
}

void AddAppend(CLI::App& parent, int* exit_code) {
  auto* cmd = parent.add_subcommand(
      "append",
      "Append one entry per input line (bytes without the newline); prints {\"index\": i} per "
      "entry once its batch is durable");
  auto dir = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>("-");
  auto batch = std::make_shared<size_t>(kDefaultBatch);
  cmd->add_option("DIR", *dir, "Log directory")->required();
  cmd->add_option("FILE", *file, "Input file, or - for standard input")->capture_default_str();
  cmd->add_option("--batch-size", *batch, "Entries per durable batch")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 24));
  cmd->callback([=] {
    auto log = OpenLog(*dir, /*write=*/true);
    if (!log.ok()) {
      *exit_code = ReportError("log append", log.status());
      return;
    }
    std::ifstream file_in;
    std::istream* in = &std::cin;
    if (*file != "-") {
      std::error_code ec;
      if (std::filesystem::is_directory(*file, ec)) {
        ReportError("log append", base::InvalidArgumentError(*file + ": is a directory"));
        *exit_code = kExitUsage;
        return;
      }
      file_in.open(*file, std::ios::binary);
      if (!file_in) {
        *exit_code = ReportError("log append", base::NotFoundError(*file + ": cannot open"));
        return;
      }
      in = &file_in;
    }
    std::vector<std::string> lines;
    size_t bytes = 0;
    uint64_t line_no = 0;
    std::string out;
    auto flush = [&]() -> bool {
      if (lines.empty()) return true;
      std::vector<std::string_view> views(lines.begin(), lines.end());
      auto first = (*log)->Append(views);
      if (!first.ok()) {
        *exit_code = ReportError("log append", first.status());
        return false;
      }
      out.clear();
      for (size_t i = 0; i < lines.size(); ++i) {
        out += "{\"index\":";
        out += std::to_string(*first + i);
        out += "}\n";
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fflush(stdout);
      lines.clear();
      bytes = 0;
      return true;
    };
    std::string line;
    while (std::getline(*in, line)) {
      ++line_no;
      if (line.size() > ledger::kMaxEntrySize) {
        if (!flush()) return;
        *exit_code = ReportError(
            "log append", base::InvalidArgumentError("line " + std::to_string(line_no) +
                                                     ": entry is " + std::to_string(line.size()) +
                                                     " bytes; at most 65535 are allowed"));
        return;
      }
      bytes += line.size();
      lines.push_back(std::move(line));
      line.clear();
      if (lines.size() >= *batch || bytes >= kBatchBytes) {
        if (!flush()) return;
      }
    }
    if (in->bad()) {
      flush();
      *exit_code = ReportError("log append", base::UnavailableError("cannot read input"));
      return;
    }
    flush();
  });
}

void AddCheckpoint(CLI::App& parent, int* exit_code) {
  auto* cmd = parent.add_subcommand("checkpoint", "Print the latest signed checkpoint note");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "Log directory")->required();
  cmd->callback([=] {
    auto log = OpenLog(*dir, false);
    if (!log.ok()) {
      *exit_code = ReportError("log checkpoint", log.status());
      return;
    }
    std::cout << (*log)->checkpoint();
  });
}

void AddProve(CLI::App& parent, int* exit_code) {
  auto* cmd = parent.add_subcommand("prove", "Print an inclusion proof for entry --index");
  auto dir = std::make_shared<std::string>();
  auto index = std::make_shared<uint64_t>(0);
  auto size = std::make_shared<uint64_t>(0);
  cmd->add_option("DIR", *dir, "Log directory")->required();
  cmd->add_option("--index", *index, "Entry index (0-based)")->required()->check(kUint64Arg);
  auto* size_opt =
      cmd->add_option("--size", *size, "Tree size (default: the latest)")->check(kUint64Arg);
  cmd->callback([=] {
    auto log = OpenLog(*dir, false);
    if (!log.ok()) {
      *exit_code = ReportError("log prove", log.status());
      return;
    }
    uint64_t n = size_opt->count() > 0 ? *size : (*log)->size();
    auto p = (*log)->ProveInclusion(*index, n);
    if (!p.ok()) {
      *exit_code = ReportError("log prove", p.status());
      return;
    }
    boost::json::object o;
    o["type"] = "inclusion";  // the line is `proof verify` input as printed
    o["index"] = p->index;
    o["size"] = p->size;
    o["leaf_hash"] = ledger::HashToHex(p->leaf_hash);
    o["root"] = ledger::HashToHex(p->root);
    o["proof"] = HexList(p->proof);
    PrintJson(o);
  });
}

void AddConsistency(CLI::App& parent, int* exit_code) {
  auto* cmd = parent.add_subcommand("consistency", "Print a consistency proof between two sizes");
  auto dir = std::make_shared<std::string>();
  auto from = std::make_shared<uint64_t>(0);
  auto to = std::make_shared<uint64_t>(0);
  cmd->add_option("DIR", *dir, "Log directory")->required();
  cmd->add_option("--from", *from, "The smaller tree size")->required()->check(kUint64Arg);
  auto* to_opt =
      cmd->add_option("--to", *to, "The larger tree size (default: the latest)")->check(kUint64Arg);
  cmd->callback([=] {
    auto log = OpenLog(*dir, false);
    if (!log.ok()) {
      *exit_code = ReportError("log consistency", log.status());
      return;
    }
    uint64_t n = to_opt->count() > 0 ? *to : (*log)->size();
    auto p = (*log)->ProveConsistency(*from, n);
    if (!p.ok()) {
      *exit_code = ReportError("log consistency", p.status());
      return;
    }
    boost::json::object o;
    o["type"] = "consistency";  // the line is `proof verify` input as printed
    o["size1"] = p->size1;
    o["size2"] = p->size2;
    o["root1"] = ledger::HashToHex(p->root1);
    o["root2"] = ledger::HashToHex(p->root2);
    o["proof"] = HexList(p->proof);
    PrintJson(o);
  });
}

void AddVerify(CLI::App& parent, int* exit_code) {
  auto* cmd = parent.add_subcommand(
      "verify",
      "Recompute everything from the stored entries (leaf hashes, tiles, checkpoints); exit 1 "
      "naming what is wrong and where");
  auto dir = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(2);
  cmd->add_option("DIR", *dir, "Log directory")->required();
  cmd->add_option("--threads", *threads, "Hashing threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->callback([=] {
    auto r = ledger::Log::VerifyDirectory(*dir, *threads);
    if (!r.ok()) {
      *exit_code = ReportError("log verify", r.status());
      return;
    }
    std::cout << "ok: " << r->entries << " entries, " << r->hash_tiles << " hash tiles, "
              << r->checkpoints << " checkpoints verified\n";
  });
}

void AddVkey(CLI::App& parent, int* exit_code) {
  auto* cmd = parent.add_subcommand("vkey", "Print the log's verifier key text");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "Log directory")->required();
  cmd->callback([=] {
    auto log = OpenLog(*dir, false);
    if (!log.ok()) {
      *exit_code = ReportError("log vkey", log.status());
      return;
    }
    std::cout << (*log)->verifier().ToText() << "\n";
  });
}

void AddTile(CLI::App& parent, int* exit_code) {
  auto* cmd = parent.add_subcommand(
      "tile", "Write a C2SP tlog-tiles tile or entry bundle (binary) to standard output");
  auto dir = std::make_shared<std::string>();
  auto path = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "Log directory")->required();
  cmd->add_option("PATH", *path, "tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]")->required();
  cmd->callback([=] {
    auto coord = ledger::ParseTilePath(*path);
    if (!coord.ok()) {
      *exit_code = ReportError("log tile", coord.status());
      return;
    }
    auto log = OpenLog(*dir, false);
    if (!log.ok()) {
      *exit_code = ReportError("log tile", log.status());
      return;
    }
    auto data = (*log)->ReadTile(*coord);
    if (!data.ok()) {
      *exit_code = ReportError("log tile", data.status());
      return;
    }
    std::fwrite(data->data(), 1, data->size(), stdout);
  });
}

// --- proof verify -------------------------------------------------------------------------

base::Result<uint64_t> GetSize(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return base::InvalidArgumentError(std::string("missing \"") + key + "\"");
  if (const auto* i = v->if_int64(); i != nullptr && *i >= 0) return static_cast<uint64_t>(*i);
  if (const auto* u = v->if_uint64(); u != nullptr) return *u;
  return base::InvalidArgumentError(std::string("\"") + key + "\" must be a non-negative integer");
}

base::Result<Hash> GetHash(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return base::InvalidArgumentError(std::string("\"") + key + "\" must be a hex string");
  }
  const auto& s = v->get_string();
  return ledger::HashFromHex(std::string_view(s.data(), s.size()), std::string("\"") + key + "\"");
}

base::Result<std::vector<Hash>> GetProof(const boost::json::object& o) {
  const auto* v = o.if_contains("proof");
  if (v == nullptr || !v->is_array()) {
    return base::InvalidArgumentError("\"proof\" must be an array of hex strings");
  }
  const auto& a = v->get_array();
  if (a.size() > ledger::kMaxProofHashes) {
    return base::InvalidArgumentError("\"proof\" has " + std::to_string(a.size()) +
                                      " hashes; at most 128 are possible");
  }
  std::vector<Hash> out;
  for (size_t i = 0; i < a.size(); ++i) {
    std::string what = "proof[" + std::to_string(i) + "]";
    const auto* s = a[i].if_string();
    if (s == nullptr) return base::InvalidArgumentError(what + " must be a hex string");
    ASSIGN_OR_RETURN(Hash h, ledger::HashFromHex(std::string_view(s->data(), s->size()), what));
    out.push_back(h);
  }
  return out;
}

base::Status VerifyProofLine(std::string_view line) {
  if (line.size() > kMaxProofLineBytes) return base::InvalidArgumentError("line too long");
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 4;
  boost::json::value v = boost::json::parse(line, ec, {}, opts);
  if (ec) return base::InvalidArgumentError("invalid JSON: " + ec.message());
  const auto* o = v.if_object();
  if (o == nullptr) return base::InvalidArgumentError("not a JSON object");
  const auto* type = o->if_contains("type");
  if (type == nullptr || !type->is_string()) {
    return base::InvalidArgumentError("\"type\" must be \"inclusion\" or \"consistency\"");
  }
  const bool inclusion = type->get_string() == "inclusion";
  const bool consistency = type->get_string() == "consistency";
  if (!inclusion && !consistency) {
    return base::InvalidArgumentError("\"type\" must be \"inclusion\" or \"consistency\"");
  }
  // A member we do not know would be silently ignored: a misspelt field could make a line
  // mean something else than its writer thought, so it is rejected.
  static constexpr std::string_view kInclusionFields[] = {"type", "leaf_hash", "index",
                                                          "size", "proof",     "root"};
  static constexpr std::string_view kConsistencyFields[] = {"type",  "size1", "size2",
                                                            "root1", "root2", "proof"};
  for (const auto& member : *o) {
    std::string_view key(member.key().data(), member.key().size());
    bool known = false;
    for (std::string_view f : inclusion ? std::span<const std::string_view>(kInclusionFields)
                                        : std::span<const std::string_view>(kConsistencyFields)) {
      known = known || f == key;
    }
    if (!known) {
      return base::InvalidArgumentError("unknown field \"" + std::string(key.substr(0, 64)) +
                                        "\" in " + (inclusion ? "an inclusion" : "a consistency") +
                                        " proof");
    }
  }
  ASSIGN_OR_RETURN(std::vector<Hash> proof, GetProof(*o));
  if (inclusion) {
    ASSIGN_OR_RETURN(Hash leaf, GetHash(*o, "leaf_hash"));
    ASSIGN_OR_RETURN(Hash root, GetHash(*o, "root"));
    ASSIGN_OR_RETURN(uint64_t index, GetSize(*o, "index"));
    ASSIGN_OR_RETURN(uint64_t size, GetSize(*o, "size"));
    return ledger::VerifyInclusion(index, size, leaf, proof, root);
  }
  ASSIGN_OR_RETURN(Hash root1, GetHash(*o, "root1"));
  ASSIGN_OR_RETURN(Hash root2, GetHash(*o, "root2"));
  ASSIGN_OR_RETURN(uint64_t size1, GetSize(*o, "size1"));
  ASSIGN_OR_RETURN(uint64_t size2, GetSize(*o, "size2"));
  return ledger::VerifyConsistency(size1, size2, proof, root1, root2);
}

void AddProofVerify(CLI::App& app, int* exit_code) {
  auto* proof = app.add_subcommand("proof", "Verify RFC 9162 inclusion and consistency proofs");
  proof->require_subcommand(1);
  auto* cmd = proof->add_subcommand(
      "verify",
      "Read NDJSON proofs ({\"type\":\"inclusion\",...} or {\"type\":\"consistency\",...}); "
      "print {\"valid\":bool[,\"error\":...]} per line; exit 1 unless all are valid");
  auto file = std::make_shared<std::string>("-");
  cmd->add_option("FILE", *file, "Input file, or - for standard input")->capture_default_str();
  cmd->callback([=] {
    auto input = ReadInput(*file);
    if (!input.ok()) {  // missing, a directory, unreadable: a usage / I-O error
      ReportError("proof verify", input.status());
      *exit_code = kExitUsage;
      return;
    }
    std::string_view rest = *input;
    uint64_t line_no = 0;
    bool all_valid = true;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      base::Status s = VerifyProofLine(line);
      boost::json::object o;
      o["valid"] = s.ok();
      if (!s.ok()) {
        all_valid = false;
        o["error"] = "line " + std::to_string(line_no) + ": " + s.message();
      }
      PrintJson(o);
    }
    *exit_code = all_valid ? kExitOk : kExitInvalid;
  });

  auto* eq = proof->add_subcommand(
      "equivocation",
      "Check an equivocation proof (the evidence of an \"equivocation\" alert in `detente "
      "status --json`): both checkpoints verify under the embedded key and provably fork. "
      "Prints {\"proves_equivocation\":bool[,\"error\":...]}; exit 0 when it proves it, 1 "
      "when it does not");
  auto eq_file = std::make_shared<std::string>("-");
  eq->add_option("FILE", *eq_file, "Input file, or - for standard input")->capture_default_str();
  eq->callback([=] {
    auto input = ReadInput(*eq_file);
    if (!input.ok()) {
      ReportError("proof equivocation", input.status());
      *exit_code = kExitUsage;
      return;
    }
    base::Status s = ledger::VerifyEquivocationProof(*input);
    boost::json::object o;
    o["proves_equivocation"] = s.ok();
    if (!s.ok()) o["error"] = s.message();
    PrintJson(o);
    *exit_code = s.ok() ? kExitOk : kExitInvalid;
  });
}

// --- note verify --------------------------------------------------------------------------

// --vkey VALUE: verifier key text if VALUE parses as one, else a file holding one key per line.
base::Result<std::vector<ledger::NoteVerifier>> LoadVerifiers(
    const std::vector<std::string>& values) {
  std::vector<ledger::NoteVerifier> out;
  for (const std::string& v : values) {
    if (auto k = ledger::NoteVerifier::Parse(v); k.ok()) {
      out.push_back(*k);
      continue;
    }
    auto text = ReadInput(v);
    if (!text.ok()) {
      return base::InvalidArgumentError("--vkey " + v +
                                        ": neither a verifier key nor a readable file");
    }
    std::string_view rest = *text;
    int line_no = 0;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      auto k = ledger::NoteVerifier::Parse(line);
      if (!k.ok()) return k.status().WithContext(v + " line " + std::to_string(line_no));
      out.push_back(*k);
    }
  }
  if (out.empty()) return base::InvalidArgumentError("no verifier keys given");
  return out;
}

void AddNoteVerify(CLI::App& app, int* exit_code) {
  auto* note = app.add_subcommand("note", "C2SP signed notes");
  note->require_subcommand(1);
  auto* cmd = note->add_subcommand(
      "verify", "Verify a signed note and print its text; exit 1 if no known key verifies it");
  auto vkeys = std::make_shared<std::vector<std::string>>();
  auto file = std::make_shared<std::string>("-");
  cmd->add_option("--vkey", *vkeys,
                  "Verifier key text (<name>+<hash>+<key>) or a file with one per line; "
                  "repeatable")
      ->required()
      ->allow_extra_args(false)  // one value per --vkey, so FILE stays positional
      ->take_all();
  cmd->add_option("FILE", *file, "The note, or - for standard input")->capture_default_str();
  cmd->callback([=] {
    auto known = LoadVerifiers(*vkeys);
    if (!known.ok()) {  // a --vkey that is neither a key nor a file of keys: a bad flag
      ReportError("note verify", known.status());
      *exit_code = kExitUsage;
      return;
    }
    auto input = ReadInput(*file);
    if (!input.ok()) {  // missing, a directory, unreadable: a usage / I-O error
      ReportError("note verify", input.status());
      *exit_code = kExitUsage;
      return;
    }
    auto n = ledger::OpenNote(*input, *known);
    if (!n.ok()) {
      *exit_code = ReportError("note verify", n.status());
      return;
    }
    std::cout << n->text;
  });
}

void RegisterLedgerCommands(CLI::App& app, int* exit_code) {
  auto* log_cmd =
      app.add_subcommand("log", "The verifiable log (RFC 9162, C2SP checkpoints/tiles)");
  log_cmd->require_subcommand(1);
  AddInit(*log_cmd, exit_code);
  AddAppend(*log_cmd, exit_code);
  AddCheckpoint(*log_cmd, exit_code);
  AddProve(*log_cmd, exit_code);
  AddConsistency(*log_cmd, exit_code);
  AddVerify(*log_cmd, exit_code);
  AddVkey(*log_cmd, exit_code);
  AddTile(*log_cmd, exit_code);
  AddProofVerify(app, exit_code);
  AddNoteVerify(app, exit_code);
}

}  // namespace

DETENTE_REGISTER_COMMANDS(40, RegisterLedgerCommands);

}  // namespace detente::cli
