// cli/peer_cmd.cc: `detente sync` (one peer round now: deliver, pull, witness, gossip) and
// `detente peer url|list` (endpoint overrides): flags -> peer module -> exit code.
// The protocol: docs/formats/peer-protocol.md; running a node: docs/operations.md.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "accord/accord.h"
#include "cli/cli.h"
#include "peer/peer.h"
#include "server/server.h"

namespace detente::cli {
namespace {

struct PeerFlags {
  std::string dir, party, url;
  bool json = false;
};

using server::LoadNodeKey;
using server::OpenNodeExchange;

void AppendStrings(std::string* out, const std::vector<std::string>& v) {
  *out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) *out += ',';
    std::string s = v[i];
    if (!base::IsValidUtf8(s)) {
      for (char& c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) c = '?';
      }
    }
    base::AppendJsonString(out, s);
  }
  *out += ']';
}

int RunSync(const PeerFlags& f) {
  auto ex = OpenNodeExchange(f.dir);
  if (!ex.ok()) return ReportError("sync", ex.status());
  auto key = LoadNodeKey(f.dir);
  if (!key.ok()) return ReportError("sync", key.status());
  peer::SharedExchange shared(std::move(ex).value());
  peer::AgentOptions ao;
  // A CLI round should not hang on a partner that does not answer.
  ao.http.connect_timeout = std::chrono::milliseconds(5'000);
  ao.http.request_timeout = std::chrono::milliseconds(10'000);
  peer::Agent agent(&shared, *key, ao);
  auto summary = agent.SyncOnce();
  if (!summary.ok()) return ReportError("sync", summary.status());
  const peer::SyncSummary& s = *summary;
  if (f.json) {
    std::string out = "{\"delivered\":" + std::to_string(s.delivered) +
                      ",\"pending\":" + std::to_string(s.pending) +
                      ",\"pulled\":" + std::to_string(s.pulled) +
                      ",\"witnessed\":" + std::to_string(s.witnessed) +
                      ",\"alerts\":" + std::to_string(s.alerts) + ",\"partners\":[";
    for (size_t i = 0; i < s.partners.size(); ++i) {
      const peer::PartnerSummary& p = s.partners[i];
      if (i > 0) out += ',';
      out += "{\"party\":";
      base::AppendJsonString(&out, p.party);
      out += ",\"url\":";
      base::AppendJsonString(&out, base::IsValidUtf8(p.url) ? p.url : std::string("?"));
      out += ",\"delivered\":" + std::to_string(p.delivered) +
             ",\"rejected\":" + std::to_string(p.rejected) +
             ",\"pending\":" + std::to_string(p.pending) +
             ",\"pulled\":" + std::to_string(p.pulled) +
             ",\"witnessed\":" + (p.witnessed ? "true" : "false") + ",\"errors\":";
      AppendStrings(&out, p.errors);
      out += '}';
    }
    out += "],\"gossip_errors\":";
    AppendStrings(&out, s.gossip_errors);
    out += '}';
    std::cout << out << "\n";
  } else {
    for (const peer::PartnerSummary& p : s.partners) {
      std::cout << p.party << "\t" << (p.url.empty() ? "(no URL)" : p.url)
                << "\tdelivered=" << p.delivered << "\trejected=" << p.rejected
                << "\tpending=" << p.pending << "\tpulled=" << p.pulled
                << "\twitnessed=" << (p.witnessed ? "yes" : "no") << "\n";
      for (const std::string& e : p.errors) std::cout << "  " << e << "\n";
    }
    for (const std::string& e : s.gossip_errors) std::cout << "gossip " << e << "\n";
    std::cout << "delivered " << s.delivered << ", pending " << s.pending << ", pulled " << s.pulled
              << ", witnessed " << s.witnessed << ", new alerts " << s.alerts << "\n";
  }
  if (s.alerts > 0) {
    std::cerr << "detente sync: " << s.alerts
              << " new alert(s) (equivocation or bad receipt): see detente status\n";
    return kExitInvalid;
  }
  return kExitOk;
}

int RunPeerUrl(const PeerFlags& f) {
  auto ex = OpenNodeExchange(f.dir);
  if (!ex.ok()) return ReportError("peer url", ex.status());
  const accord::Accord& doc = (*ex)->accord();
  if (doc.FindParty(f.party) == nullptr) {
    return ReportError(
        "peer url", base::InvalidArgumentError("\"" + f.party + "\" is not a party of the accord"));
  }
  if (f.party == (*ex)->party()) {
    return ReportError("peer url",
                       base::InvalidArgumentError("\"" + f.party + "\" is this node's own party"));
  }
  if (base::Status s = peer::SetEndpointOverride((*ex)->connection(), f.party, f.url); !s.ok()) {
    return ReportError("peer url", s);
  }
  std::cerr << "detente peer url: " << f.party << " -> " << f.url << "\n";
  return kExitOk;
}

int RunPeerList(const PeerFlags& f) {
  auto ex = OpenNodeExchange(f.dir);
  if (!ex.ok()) return ReportError("peer list", ex.status());
  accord::Exchange& e = **ex;
  auto overrides = peer::EndpointOverrides(e.connection());
  if (!overrides.ok()) return ReportError("peer list", overrides.status());
  auto logs = e.PeerLogs();
  if (!logs.ok()) return ReportError("peer list", logs.status());
  auto undelivered = e.Undelivered();
  if (!undelivered.ok()) return ReportError("peer list", undelivered.status());
  std::string json = "[";
  for (const accord::Party& p : e.accord().parties) {
    if (p.name == e.party()) continue;
    std::string url, source = "none";
    if (auto it = overrides->find(p.name); it != overrides->end()) {
      url = it->second;
      source = "override";
    } else if (!p.endpoints.empty()) {
      url = p.endpoints.front();
      source = "accord";
    }
    uint64_t held = 0;
    std::string received;
    for (const accord::PeerLogState& l : *logs) {
      if (l.party == p.name) {
        held = l.size;
        received = l.received_at;
      }
    }
    uint64_t pending = 0;
    for (const accord::DeliveryState& d : *undelivered) pending += d.recipient == p.name ? 1 : 0;
    if (f.json) {
      if (json.size() > 1) json += ',';
      json += "{\"party\":";
      base::AppendJsonString(&json, p.name);
      json += ",\"url\":";
      base::AppendJsonString(&json, url);
      json += ",\"source\":\"" + source + "\",\"endpoints\":";
      AppendStrings(&json, p.endpoints);
      json += ",\"held_size\":" + std::to_string(held) + ",\"received_at\":";
      base::AppendJsonString(&json, received);
      json += ",\"undelivered\":" + std::to_string(pending) + "}";
    } else {
      std::cout << p.name << "\t" << (url.empty() ? "(no URL)" : url) << " (" << source
                << ")\theld_size=" << held << "\tundelivered=" << pending << "\n";
    }
  }
  if (f.json) std::cout << json << "]\n";
  return kExitOk;
}

void Register(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PeerFlags>();

  auto* sync = app.add_subcommand(
      "sync",
      "One peer round now: deliver pending messages, pull, witness and gossip with "
      "every partner (exit 0 even if partners are down; 1 on a new alert)");
  sync->add_option("--dir", flags->dir, "The node directory")->required();
  sync->add_flag("--json", flags->json, "Print JSON");
  sync->callback([flags, exit_code] { *exit_code = RunSync(*flags); });

  auto* peer = app.add_subcommand("peer", "Partner endpoints");
  peer->require_subcommand(1);
  auto* url = peer->add_subcommand(
      "url",
      "Set the URL used for a partner (overrides the accord's endpoints; a running "
      "serve picks it up at its next round)");
  url->add_option("party", flags->party, "The partner")->required();
  url->add_option("url", flags->url, "Base URL, http(s)://host:port[/prefix]")->required();
  url->add_option("--dir", flags->dir, "The node directory")->required();
  url->callback([flags, exit_code] { *exit_code = RunPeerUrl(*flags); });

  auto* list = peer->add_subcommand("list", "List partners, their URLs and delivery state");
  list->add_option("--dir", flags->dir, "The node directory")->required();
  list->add_flag("--json", flags->json, "Print JSON");
  list->callback([flags, exit_code] { *exit_code = RunPeerList(*flags); });
}

}  // namespace

DETENTE_REGISTER_COMMANDS(62, Register);

}  // namespace detente::cli
