// cli/share_cmd.cc: `detente share`, `detente retract`, `detente shares`, `detente sightings
// [list|send]`: STIX shares under TLP 2.0, signed retractions and sightings sent back to each
// indicator's producer (accord::Workflows; formats in docs/formats/workflows.md "Shares,
// retractions and sightings"). Also SendSightingsText, used by `detente match
// --send-sightings`. Messages are queued here and delivered by `detente serve` or `detente sync`.
#include <boost/json.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "accord/accord.h"
#include "accord/case_json.h"
#include "cli/cli.h"
#include "server/server.h"
#include "stix/stix.h"

namespace detente::cli {

// Sends the STIX sightings in `text` (NDJSON, a bundle or an array; objects other than
// sightings are ignored) from the node in `dir` to the producers of the indicators they
// sight, printing a summary on stderr. Returns an exit code. Used by `detente match`.
int SendSightingsText(const std::string& dir, std::string_view text, std::string_view command);

namespace {

namespace json = boost::json;

struct ShareFlags {
  std::string dir, file, to, tlp, reason;
  std::vector<std::string> ids;
  bool json = false;
};

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

int RunShare(const ShareFlags& f) {
  constexpr std::string_view kCmd = "share";
  auto text = ReadInput(f.file);
  if (!text.ok()) return ReportError(kCmd, text.status());
  std::vector<std::string> to = SplitComma(f.to);
  if (to.empty()) {
    return ReportError(kCmd, base::InvalidArgumentError(
                                 "--to: name at least one partner (see detente accord show)"));
  }
  auto ex = server::OpenNodeExchange(f.dir);
  if (!ex.ok()) return ReportError(kCmd, ex.status());
  auto env = accord::Workflows(**ex).Share(to, *text, f.tlp);
  if (!env.ok()) return ReportError(kCmd, env.status());
  int64_t objects = 0;
  if (auto body = json::parse(env->body); body.is_object()) {
    if (auto* o = body.as_object().if_contains("objects"); o && o->is_array()) {
      objects = static_cast<int64_t>(o->as_array().size());
    }
  }
  if (f.json) {
    std::cout << json::serialize(json::object{{"id", env->id},
                                              {"to", accord::StringsJson(env->to)},
                                              {"tlp", env->tlp},
                                              {"objects", objects},
                                              {"seq", env->seq}})
              << "\n";
  } else {
    std::cout << "share " << env->id << ": " << objects << " objects to " << Join(env->to)
              << " under TLP:" << env->tlp
              << " (queued; delivered by detente serve or detente sync)\n";
  }
  return kExitOk;
}

int RunRetract(const ShareFlags& f) {
  constexpr std::string_view kCmd = "retract";
  if (f.reason.empty()) {
    return ReportError(kCmd, base::InvalidArgumentError("--reason: say why the objects are "
                                                        "retracted"));
  }
  auto ex = server::OpenNodeExchange(f.dir);
  if (!ex.ok()) return ReportError(kCmd, ex.status());
  auto env = accord::Workflows(**ex).Retract(f.ids, f.reason);
  if (!env.ok()) return ReportError(kCmd, env.status());
  if (f.json) {
    std::cout << json::serialize(json::object{{"id", env->id},
                                              {"to", accord::StringsJson(env->to)},
                                              {"objects", accord::StringsJson(f.ids)},
                                              {"shares", accord::StringsJson(env->refs)},
                                              {"seq", env->seq}})
              << "\n";
  } else {
    std::cout << "retract " << env->id << ": " << f.ids.size() << " objects, to "
              << Join(env->to) << " (queued; delivered by detente serve or detente sync)\n";
  }
  return kExitOk;
}

int RunShares(const ShareFlags& f) {
  constexpr std::string_view kCmd = "shares";
  auto ex = server::OpenNodeExchange(f.dir);
  if (!ex.ok()) return ReportError(kCmd, ex.status());
  accord::Workflows w(**ex);
  if (base::Status s = w.EnsureCollections(); !s.ok()) return ReportError(kCmd, s);
  if (auto applied = w.ApplyInbound(); !applied.ok()) return ReportError(kCmd, applied.status());
  auto shares = w.Shares();
  if (!shares.ok()) return ReportError(kCmd, shares.status());
  if (f.json) {
    json::array a;
    for (const auto& s : *shares) {
      json::object o = accord::ShareJson(s);
      o["direction"] = s.outgoing ? "sent" : "received";
      a.emplace_back(std::move(o));
    }
    std::cout << json::serialize(json::object{{"shares", std::move(a)}}) << "\n";
    return kExitOk;
  }
  if (shares->empty()) {
    std::cout << "no shares yet (detente share FILE --to PARTY sends one)\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "CREATED", "FROM", "TO", "TLP", "OBJECTS", "RETRACTED"}};
  for (const auto& s : *shares) {
    rows.push_back({s.id, s.created, s.from, Join(s.to), s.tlp, std::to_string(s.objects),
                    std::to_string(s.retracted.size())});
  }
  PrintTable(rows);
  return kExitOk;
}

int RunSightingsList(const ShareFlags& f) {
  constexpr std::string_view kCmd = "sightings";
  auto ex = server::OpenNodeExchange(f.dir);
  if (!ex.ok()) return ReportError(kCmd, ex.status());
  accord::Workflows w(**ex);
  if (base::Status s = w.EnsureCollections(); !s.ok()) return ReportError(kCmd, s);
  if (auto applied = w.ApplyInbound(); !applied.ok()) return ReportError(kCmd, applied.status());
  auto list = w.Sightings();
  if (!list.ok()) return ReportError(kCmd, list.status());
  if (f.json) {
    json::array a;
    for (const auto& s : *list) {
      a.emplace_back(accord::SightingJson(s));
    }
    std::cout << json::serialize(json::object{{"sightings", std::move(a)}}) << "\n";
    return kExitOk;
  }
  if (list->empty()) {
    std::cout << "no sightings of indicators this node shared yet\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"INDICATOR", "PARTY", "COUNT", "FIRST SEEN", "LAST SEEN"}};
  for (const auto& s : *list) {
    rows.push_back({s.indicator, s.party, std::to_string(s.count), s.first_seen, s.last_seen});
  }
  PrintTable(rows);
  return kExitOk;
}

// The sighting objects of `text` (NDJSON, bundle or array), each its JSON text.
base::Result<std::vector<std::string>> SightingObjects(std::string_view text, int64_t* ignored) {
  stix::StringByteSource source(text);
  stix::ObjectReader reader(&source);
  stix::RawItem item;
  std::vector<std::string> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&item));
    if (!more) break;
    if (item.kind == stix::RawItem::Kind::kError) {
      return base::InvalidArgumentError("sightings input line " + std::to_string(item.line) +
                                        ": " + item.error);
    }
    if (item.kind != stix::RawItem::Kind::kObject) continue;
    boost::system::error_code ec;
    json::value v = json::parse(item.json, ec);
    if (!ec && v.is_object()) {
      if (auto* t = v.as_object().if_contains("type"); t && t->is_string() &&
                                                       t->as_string() == "sighting") {
        out.emplace_back(item.json);
        continue;
      }
    }
    ++*ignored;
  }
  return out;
}

int SendSightings(const std::string& dir, std::string_view text, std::string_view command,
                  bool as_json) {
  int64_t ignored = 0;
  auto sightings = SightingObjects(text, &ignored);
  if (!sightings.ok()) return ReportError(command, sightings.status());
  auto ex = server::OpenNodeExchange(dir);
  if (!ex.ok()) return ReportError(command, ex.status());
  auto sent = accord::Workflows(**ex).SendSightings(*sightings);
  if (!sent.ok()) return ReportError(command, sent.status());
  if (as_json) {
    std::cout << json::serialize(json::object{{"messages", accord::StringsJson(sent->messages)},
                                              {"sent", sent->sent},
                                              {"skipped", sent->skipped},
                                              {"ignored", ignored}})
              << "\n";
  } else {
    std::cerr << "detente " << command << ": sent " << sent->sent << " sightings in "
              << sent->messages.size() << " messages to the indicators' producers; "
              << sent->skipped
              << " skipped (indicators not received from a partner)"
              << (ignored > 0 ? "; " + std::to_string(ignored) + " non-sighting objects ignored"
                              : std::string())
              << " (queued; delivered by detente serve or detente sync)\n";
  }
  return kExitOk;
}

void Register(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ShareFlags>();

  auto* share = app.add_subcommand(
      "share",
      "Share STIX objects (a bundle, an array or NDJSON) with partners under TLP 2.0.\n"
      "The TLP is the strictest marking of the objects (or --tlp if stricter; the accord's "
      "default when none). Objects received from a partner under AMBER, AMBER+STRICT or RED "
      "are refused. Exit codes: 0 queued, 1 invalid objects, 2 refused by TLP / bad flags.");
  share->add_option("file", flags->file, "FILE with the STIX objects, or - for stdin")
      ->required();
  share->add_option("--to", flags->to, "PARTY[,PARTY...]")->required();
  share->add_option("--tlp", flags->tlp, "clear|green|amber|amber+strict|red (at least)")
      ->check(CLI::IsMember({"clear", "green", "amber", "amber+strict", "red"}));
  share->add_option("--dir", flags->dir, "The node directory")->required();
  share->add_flag("--json", flags->json, "Print JSON");
  share->callback([flags, exit_code] { *exit_code = RunShare(*flags); });

  auto* retract = app.add_subcommand(
      "retract",
      "Retract objects this party shared: a signed tombstone to every recipient of the shares "
      "that carried them, who delete them from their collections.");
  retract->add_option("ids", flags->ids, "STIX ids of the objects")->required();
  retract->add_option("--reason", flags->reason, "Why (sent to the recipients)")->required();
  retract->add_option("--dir", flags->dir, "The node directory")->required();
  retract->add_flag("--json", flags->json, "Print JSON");
  retract->callback([flags, exit_code] { *exit_code = RunRetract(*flags); });

  auto* shares = app.add_subcommand("shares", "Shares sent and received, with retractions");
  shares->add_option("--dir", flags->dir, "The node directory")->required();
  shares->add_flag("--json", flags->json, "Print JSON");
  shares->callback([flags, exit_code] { *exit_code = RunShares(*flags); });

  auto* sightings = app.add_subcommand(
      "sightings",
      "Sightings of the indicators this party shared, per indicator and sighting party "
      "(default, or `list`); `send FILE` sends STIX sightings to the indicators' producers");
  sightings->add_option("--dir", flags->dir, "The node directory");
  sightings->add_flag("--json", flags->json, "Print JSON");
  auto* list = sightings->add_subcommand("list", "Sightings received, per indicator");
  list->add_option("--dir", flags->dir, "The node directory")->required();
  list->add_flag("--json", flags->json, "Print JSON");
  auto* send = sightings->add_subcommand(
      "send", "Send STIX sightings (e.g. detente match output) to the indicators' producers");
  send->add_option("file", flags->file, "FILE with sightings (NDJSON, bundle), or - for stdin")
      ->required();
  send->add_option("--dir", flags->dir, "The node directory")->required();
  send->add_flag("--json", flags->json, "Print JSON");
  send->callback([flags, exit_code] {
    auto text = ReadInput(flags->file);
    if (!text.ok()) {
      *exit_code = ReportError("sightings send", text.status());
      return;
    }
    *exit_code = SendSightings(flags->dir, *text, "sightings send", flags->json);
  });
  sightings->callback([flags, exit_code, sightings, send] {
    if (send->parsed()) return;
    if (flags->dir.empty()) {
      *exit_code = ReportError("sightings", base::InvalidArgumentError("--dir NODE is required"));
      return;
    }
    *exit_code = RunSightingsList(*flags);
  });
}

}  // namespace

int SendSightingsText(const std::string& dir, std::string_view text, std::string_view command) {
  return SendSightings(dir, text, command, false);
}

DETENTE_REGISTER_COMMANDS(62, Register);

}  // namespace detente::cli
