// cli/accord_cmd.cc: `detente accord create|sign|show|verify|join`, `detente key`,
// `detente send`, `detente status`, `detente verify` and `detente messages`: flags -> accord
// module -> exit code. Formats: docs/formats/accord.md.
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "accord/accord.h"
#include "accord/case_json.h"
#include "cli/cli.h"
#include "server/server.h"

namespace detente::cli {
namespace {

namespace json = boost::json;

struct AccordFlags {
  std::string dir, file, out, name, tlp_default = "amber", to, kind, tlp;
  std::vector<std::string> parties, commitments, deadlines, witnesses;
  bool json = false;
  int64_t limit = 1000;
  bool all = false, envelopes = false;  // messages --all / --envelopes
};

using server::LoadNodeKey;
using server::OpenNodeExchange;

base::Result<accord::Accord> ReadAccord(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadInput(path));
  auto a = accord::Accord::Parse(text);
  if (!a.ok()) return a.status().WithContext(path);
  return a;
}

// Writes `text` to `path` through a temporary file and a rename.
base::Status WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return base::PermissionDeniedError(tmp + ": cannot write");
    out << text;
    out.flush();
    if (!out) return base::UnavailableError(tmp + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return base::PermissionDeniedError(path + ": cannot replace");
  }
  return base::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// accord create|sign|show|verify|join

base::Result<accord::Accord> BuildAccord(const AccordFlags& f) {
  accord::Accord a;
  a.name = f.name;
  a.created = base::SystemClock::Default().Now().FormatWithPrecision(0);
  for (const std::string& spec : f.parties) {
    // NAME=KEY_B64[@URL[,URL...]]
    size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      return base::InvalidArgumentError("--party " + spec + ": expected NAME=KEY[@URL,...]");
    }
    accord::Party p;
    p.name = spec.substr(0, eq);
    std::string rest = spec.substr(eq + 1);
    std::string key = rest;
    size_t at = rest.find('@');
    if (at != std::string::npos) {
      key = rest.substr(0, at);
      p.endpoints = SplitComma(rest.substr(at + 1));
    }
    auto pk = crypto::PublicKey::FromBase64(key);
    if (!pk.ok()) return pk.status().WithContext("--party " + p.name + ": key");
    p.key = *pk;
    a.parties.push_back(std::move(p));
  }
  for (const std::string& spec : f.commitments) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      return base::InvalidArgumentError("--commitment " + spec + ": expected ID=TEXT");
    }
    a.commitments.push_back({spec.substr(0, eq), spec.substr(eq + 1)});
  }
  a.deadlines = {{"critical", {3600, 86400}},
                 {"high", {14400, 259200}},
                 {"medium", {86400, 604800}},
                 {"low", {259200, 2592000}}};
  for (const std::string& spec : f.deadlines) {
    size_t eq = spec.find('=');
    size_t slash = spec.find('/');
    if (eq == std::string::npos || slash == std::string::npos || slash < eq) {
      return base::InvalidArgumentError("--deadline " + spec + ": expected PRIORITY=ACK_S/RESP_S");
    }
    std::string prio = spec.substr(0, eq);
    if (!a.deadlines.count(prio)) {
      return base::InvalidArgumentError("--deadline " + spec +
                                        ": priority is one of critical, high, medium, low");
    }
    try {
      size_t used = 0;
      std::string ack = spec.substr(eq + 1, slash - eq - 1);
      std::string resp = spec.substr(slash + 1);
      a.deadlines[prio].acknowledge_s = std::stoll(ack, &used);
      if (used != ack.size()) throw std::invalid_argument(ack);
      a.deadlines[prio].respond_s = std::stoll(resp, &used);
      if (used != resp.size()) throw std::invalid_argument(resp);
    } catch (const std::exception&) {
      return base::InvalidArgumentError("--deadline " + spec + ": not integers");
    }
  }
  a.tlp_default = f.tlp_default;
  if (f.witnesses.empty()) {
    for (const auto& p : a.parties) a.witnesses.push_back(p.name);
  } else {
    a.witnesses = f.witnesses;
  }
  // The document rules (names, keys, URLs, deadlines...) are the parser's.
  auto checked = accord::Accord::Parse(a.ToJson());
  if (!checked.ok()) return checked.status();
  return a;
}

int RunCreate(const AccordFlags& f) {
  auto a = BuildAccord(f);
  if (!a.ok()) return ReportError("accord create", a.status());
  if (base::Status s = WriteFileAtomically(f.out, a->ToJson() + "\n"); !s.ok()) {
    return ReportError("accord create", s);
  }
  std::cout << "accord " << a->Hash() << " written to " << f.out << " (" << a->parties.size()
            << " parties, unsigned)\n";
  return kExitOk;
}

int RunSign(const AccordFlags& f) {
  auto a = ReadAccord(f.file);
  if (!a.ok()) return ReportError("accord sign", a.status());
  auto config = server::LoadConfig(f.dir);
  if (!config.ok()) return ReportError("accord sign", config.status());
  auto key = LoadNodeKey(f.dir);
  if (!key.ok()) return ReportError("accord sign", key.status());
  base::Status s = a->Sign(config->party, *key);
  if (!s.ok()) {
    if (s.code() == base::StatusCode::kNotFound) {
      s = base::InvalidArgumentError(s.message());
    }
    return ReportError("accord sign", s);
  }
  if (base::Status w = WriteFileAtomically(f.file, a->ToJson() + "\n"); !w.ok()) {
    return ReportError("accord sign", w);
  }
  std::cout << "signed accord " << a->Hash() << " as " << config->party << " ("
            << a->signatures.size() << " of " << a->parties.size() << " signatures)\n";
  return kExitOk;
}

int RunVerifyAccord(const AccordFlags& f) {
  auto a = ReadAccord(f.file);
  if (!a.ok()) return ReportError("accord verify", a.status());
  base::Status s = a->Verify(true);
  if (f.json) {
    json::object o{{"ok", s.ok()}, {"hash", a->Hash()}};
    if (!s.ok()) o["error"] = s.message();
    std::cout << json::serialize(o) << "\n";
    return s.ok() ? kExitOk : kExitInvalid;
  }
  if (!s.ok()) {
    std::cerr << "detente accord verify: " << f.file << ": " << s.message() << "\n";
    return kExitInvalid;
  }
  std::cout << "accord " << a->Hash() << ": signed by all " << a->parties.size()
            << " parties\n";
  return kExitOk;
}

int RunShow(const AccordFlags& f) {
  std::optional<accord::Accord> a;
  if (!f.file.empty()) {
    auto r = ReadAccord(f.file);
    if (!r.ok()) return ReportError("accord show", r.status());
    a = std::move(*r);
  } else if (!f.dir.empty()) {
    auto config = server::LoadConfig(f.dir);
    if (!config.ok()) return ReportError("accord show", config.status());
    auto conn = server::OpenNodeDatabase(f.dir, *config);
    if (!conn.ok()) return ReportError("accord show", conn.status());
    auto loaded = accord::Exchange::LoadAccord(**conn);
    if (!loaded.ok()) return ReportError("accord show", loaded.status());
    if (!loaded->has_value()) {
      return ReportError("accord show",
                         base::FailedPreconditionError("this node has not joined an accord"));
    }
    a = std::move(**loaded);
  } else {
    return ReportError("accord show", base::InvalidArgumentError("give FILE or --dir DIR"));
  }
  base::Status in_force = a->Verify(true);
  if (f.json) {
    json::object o;
    o["hash"] = a->Hash();
    o["in_force"] = in_force.ok();
    o["document"] = json::parse(a->ToJson());
    std::cout << json::serialize(o) << "\n";
    return kExitOk;
  }
  std::cout << "accord   " << a->Hash() << "\nname     " << a->name << "\ncreated  "
            << a->created << "\nstatus   "
            << (in_force.ok() ? std::string("in force (signed by every party)")
                              : "not in force: " + in_force.message())
            << "\nparties\n";
  for (const auto& p : a->parties) {
    std::cout << "  " << p.name << "  " << p.key.ToBase64() << "  "
              << (a->signatures.count(p.name) ? "signed" : "NOT SIGNED");
    for (const auto& e : p.endpoints) std::cout << "  " << e;
    std::cout << "\n";
  }
  std::cout << "witnesses";
  for (const auto& w : a->witnesses) std::cout << " " << w;
  std::cout << "\ntlp      " << a->tlp_default << "\ndeadlines\n";
  for (const auto& [prio, d] : a->deadlines) {
    std::cout << "  " << prio << "  acknowledge " << d.acknowledge_s << " s, respond "
              << d.respond_s << " s\n";
  }
  if (!a->commitments.empty()) std::cout << "commitments\n";
  for (const auto& c : a->commitments) std::cout << "  " << c.id << "  " << c.text << "\n";
  return kExitOk;
}

int RunJoin(const AccordFlags& f) {
  auto a = ReadAccord(f.file);
  if (!a.ok()) return ReportError("accord join", a.status());
  auto config = server::LoadConfig(f.dir);
  if (!config.ok()) return ReportError("accord join", config.status());
  auto key = LoadNodeKey(f.dir);
  if (!key.ok()) return ReportError("accord join", key.status());
  auto conn = server::OpenNodeDatabase(f.dir, *config);
  if (!conn.ok()) return ReportError("accord join", conn.status());
  base::Status s = accord::Exchange::Join(**conn, *a, config->party, *key);
  if (!s.ok()) {
    if (s.code() == base::StatusCode::kNotFound || s.code() == base::StatusCode::kAlreadyExists) {
      s = base::FailedPreconditionError(s.message());
    }
    return ReportError("accord join", s);
  }
  std::cout << config->party << " joined accord " << a->Hash() << "\n";
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// key, send, status, verify, messages

int RunKey(const AccordFlags& f) {
  auto config = server::LoadConfig(f.dir);
  if (!config.ok()) return ReportError("key", config.status());
  auto key = LoadNodeKey(f.dir);
  if (!key.ok()) return ReportError("key", key.status());
  if (f.json) {
    json::object o{{"party", config->party}, {"key", key->public_key().ToBase64()}};
    std::cout << json::serialize(o) << "\n";
  } else {
    std::cout << config->party << " " << key->public_key().ToBase64() << "\n";
  }
  return kExitOk;
}

int RunSend(const AccordFlags& f) {
  // Workflow steps are checked against their case before they are signed: they have commands.
  if (f.kind.starts_with("request-") || f.kind.starts_with("violation-")) {
    std::string use = f.kind.starts_with("request-") ? "detente request" : "detente violation";
    return ReportError("send", base::InvalidArgumentError(
                                   "kind " + f.kind + " is a workflow step: use `" + use +
                                   " ...` (see `" + use + " --help`)"));
  }
  auto body = ReadInput(f.file);
  if (!body.ok()) return ReportError("send", body.status());
  auto ex = OpenNodeExchange(f.dir);
  if (!ex.ok()) return ReportError("send", ex.status());
  std::vector<std::string> to = SplitComma(f.to);
  std::string tlp = f.tlp.empty() ? (*ex)->accord().tlp_default : f.tlp;
  auto env = (*ex)->Originate(f.kind, to, *body, tlp);
  if (!env.ok()) return ReportError("send", env.status());
  if (f.json) {
    json::object o{{"id", env->id}, {"seq", env->seq}};
    std::cout << json::serialize(o) << "\n";
  } else {
    std::cout << env->id << " seq " << env->seq << "\n";
  }
  return kExitOk;
}

std::string StateName(accord::DeliveryState::State s) {
  switch (s) {
    case accord::DeliveryState::State::kPending:
      return "pending";
    case accord::DeliveryState::State::kDelivered:
      return "delivered";
    case accord::DeliveryState::State::kFailed:
      return "failed";
  }
  return "?";
}

int RunStatus(const AccordFlags& f) {
  auto opened = OpenNodeExchange(f.dir);
  if (!opened.ok()) return ReportError("status", opened.status());
  accord::Exchange& ex = **opened;
  if (base::Status s = ex.log().Reload(); !s.ok()) return ReportError("status", s);
  auto peers = ex.PeerLogs();
  if (!peers.ok()) return ReportError("status", peers.status());
  auto undelivered = ex.Undelivered();
  if (!undelivered.ok()) return ReportError("status", undelivered.status());
  auto alerts = ex.Alerts();
  if (!alerts.ok()) return ReportError("status", alerts.status());
  std::map<std::string, uint64_t> cosigned;  // witness -> largest size cosigned
  {
    auto rows = ex.connection().Query("SELECT witness, MAX(size) FROM accord_cosignatures "
                                      "GROUP BY witness");
    if (!rows.ok()) return ReportError("status", rows.status());
    while ((*rows)->Next()) {
      cosigned[std::string((*rows)->Text(0))] = static_cast<uint64_t>((*rows)->Int64(1));
    }
  }
  std::map<std::string, int> pending_by;
  for (const auto& d : *undelivered) ++pending_by[d.recipient];
  if (f.json) {
    json::object o;
    o["party"] = ex.party();
    o["accord"] = ex.accord().Hash();
    o["log"] = json::object{{"size", ex.log().size()}, {"checkpoint", ex.log().checkpoint()}};
    json::array partners;
    for (const auto& p : *peers) {
      partners.emplace_back(json::object{{"party", p.party},
                                         {"held_size", p.size},
                                         {"checkpoint", p.checkpoint},
                                         {"received_at", p.received_at},
                                         {"cosigned", cosigned.count(p.party) > 0},
                                         {"undelivered", pending_by[p.party]}});
    }
    o["partners"] = std::move(partners);
    json::array und;
    for (const auto& d : *undelivered) {
      und.emplace_back(json::object{{"id", d.id},
                                    {"recipient", d.recipient},
                                    {"state", StateName(d.state)},
                                    {"attempts", d.attempts},
                                    {"next_attempt", d.next_attempt},
                                    {"last_error", d.last_error}});
    }
    o["undelivered"] = std::move(und);
    json::array al;
    for (const auto& a : *alerts) {
      al.emplace_back(json::object{{"id", a.id},
                                   {"kind", a.kind},
                                   {"party", a.party},
                                   {"detail", a.detail},
                                   {"created", a.created},
                                   {"evidence", a.evidence}});
    }
    o["alerts"] = std::move(al);
    std::cout << json::serialize(o) << "\n";
    return kExitOk;
  }
  std::cout << "party    " << ex.party() << "\naccord   " << ex.accord().Hash() << "\nlog      size "
            << ex.log().size() << "\n\npartners\n";
  for (const auto& p : *peers) {
    std::cout << "  " << p.party << "  held size " << p.size << "  last checkpoint "
              << (p.received_at.empty() ? std::string("never") : p.received_at) << "  cosigned "
              << (cosigned.count(p.party) ? "yes" : "no") << "  undelivered "
              << pending_by[p.party] << "\n";
  }
  std::cout << "\nundelivered messages: " << undelivered->size() << "\n";
  for (const auto& d : *undelivered) {
    std::cout << "  " << d.id << " -> " << d.recipient << "  " << StateName(d.state) << "  "
              << d.attempts << " attempts" << (d.last_error.empty() ? "" : "  " + d.last_error)
              << "\n";
  }
  std::cout << "\nalerts: " << alerts->size() << "\n";
  for (const auto& a : *alerts) {
    std::cout << "  #" << a.id << " " << a.kind << " " << a.party << " " << a.created << "  "
              << a.detail << "\n";
  }
  return kExitOk;
}

int RunVerifyNode(const AccordFlags& f) {
  auto opened = OpenNodeExchange(f.dir);
  if (!opened.ok()) return ReportError("verify", opened.status());
  auto report = (*opened)->Verify();
  if (!report.ok()) return ReportError("verify", report.status());
  const accord::VerifyReport& r = *report;
  if (f.json) {
    json::array findings;
    for (const auto& x : r.findings) {
      findings.emplace_back(json::object{{"what", x.what}, {"where", x.where}});
    }
    json::object o{{"ok", r.findings.empty()},
                   {"counts", json::object{{"messages", r.messages},
                                           {"receipts", r.receipts},
                                           {"checkpoints", r.checkpoints},
                                           {"log_entries", r.log_entries},
                                           {"cosignatures", r.cosignatures}}},
                   {"findings", std::move(findings)}};
    std::cout << json::serialize(o) << "\n";
  } else {
    for (const auto& x : r.findings) std::cout << x.where << ": " << x.what << "\n";
    std::cout << (r.findings.empty() ? "ok" : "FAILED") << ": " << r.messages << " messages, "
              << r.receipts << " receipts, " << r.checkpoints << " checkpoints, "
              << r.log_entries << " log entries, " << r.cosignatures << " cosignatures; "
              << r.findings.size() << " findings\n";
  }
  return r.findings.empty() ? kExitOk : kExitInvalid;
}

int RunMessages(const AccordFlags& f) {
  auto opened = OpenNodeExchange(f.dir);
  if (!opened.ok()) return ReportError("messages", opened.status());
  auto msgs = (*opened)->Messages(static_cast<size_t>(std::max<int64_t>(f.limit, 0)));
  if (!msgs.ok()) return ReportError("messages", msgs.status());
  // --all: every message, page by page (what an independent audit of the node needs).
  for (size_t page = msgs->size(); f.all && page > 0;) {
    auto more = (*opened)->Messages(1000, msgs->size());
    if (!more.ok()) return ReportError("messages", more.status());
    page = more->size();
    for (auto& m : *more) msgs->push_back(std::move(m));
  }
  if (f.json) {
    json::array a;
    for (const auto& m : *msgs) {
      a.emplace_back(json::object{{"id", m.id},
                                  {"from", m.from},
                                  {"to", accord::StringsJson(m.to)},
                                  {"seq", m.seq},
                                  {"kind", m.kind},
                                  {"created", m.created},
                                  {"refs", accord::StringsJson(m.refs)},
                                  {"tlp", m.tlp},
                                  {"body", json::parse(m.body)},
                                  {"direction", m.outgoing ? "sent" : "received"},
                                  {"received_at", m.received_at}});
      if (f.envelopes) a.back().as_object()["envelope"] = m.envelope;
    }
    std::cout << json::serialize(json::object{{"messages", std::move(a)}}) << "\n";
    return kExitOk;
  }
  for (const auto& m : *msgs) {
    std::string to;
    for (const auto& t : m.to) to += (to.empty() ? "" : ",") + t;
    std::cout << m.created << "  " << (m.outgoing ? "sent    " : "received") << "  " << m.from
              << " -> " << to << "  seq " << m.seq << "  " << m.kind << "  " << m.id << "\n";
  }
  return kExitOk;
}

void Register(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<AccordFlags>();

  auto* acc = app.add_subcommand("accord", "Accord documents: create, sign, show, verify, join");
  acc->require_subcommand(1);
  auto* create = acc->add_subcommand("create", "Write a new, unsigned accord document");
  create->add_option("--name", flags->name, "The accord's name")->required();
  create->add_option("--party", flags->parties, "NAME=KEY_B64[@URL[,URL...]] (repeat)")
      ->required();
  create->add_option("--commitment", flags->commitments, "ID=TEXT (repeat)");
  create->add_option("--deadline", flags->deadlines,
                     "PRIORITY=ACK_S/RESP_S (repeat; defaults: critical 3600/86400, high "
                     "14400/259200, medium 86400/604800, low 259200/2592000)");
  create->add_option("--tlp-default", flags->tlp_default, "clear|green|amber|amber+strict|red");
  create->add_option("--witness", flags->witnesses, "A witnessing party (repeat; default all)");
  create->add_option("--out", flags->out, "The file to write")->required();
  create->callback([flags, exit_code] { *exit_code = RunCreate(*flags); });

  auto* sign = acc->add_subcommand("sign", "Add this node's party signature to FILE in place");
  sign->add_option("file", flags->file, "The accord document")->required();
  sign->add_option("--dir", flags->dir, "The node directory")->required();
  sign->callback([flags, exit_code] { *exit_code = RunSign(*flags); });

  auto* verify = acc->add_subcommand(
      "verify", "Exit 0 when FILE is valid and signed by every party, 1 naming what is wrong");
  verify->add_option("file", flags->file, "The accord document")->required();
  verify->add_flag("--json", flags->json, "Print JSON");
  verify->callback([flags, exit_code] { *exit_code = RunVerifyAccord(*flags); });

  auto* show = acc->add_subcommand("show", "Show an accord document or the node's accord");
  show->add_option("file", flags->file, "The accord document");
  show->add_option("--dir", flags->dir, "The node directory (its joined accord)");
  show->add_flag("--json", flags->json, "Print JSON");
  show->callback([flags, exit_code] { *exit_code = RunShow(*flags); });

  auto* join = acc->add_subcommand("join", "Join the node to a fully signed accord");
  join->add_option("file", flags->file, "The accord document")->required();
  join->add_option("--dir", flags->dir, "The node directory")->required();
  join->callback([flags, exit_code] { *exit_code = RunJoin(*flags); });

  auto* key = app.add_subcommand("key", "Print the node's party and public key");
  key->add_option("--dir", flags->dir, "The node directory")->required();
  key->add_flag("--json", flags->json, "Print JSON");
  key->callback([flags, exit_code] { *exit_code = RunKey(*flags); });

  auto* send = app.add_subcommand("send", "Originate a signed message (delivered by serve/sync)");
  send->add_option("--to", flags->to, "PARTY[,PARTY...]")->required();
  send->add_option("--kind", flags->kind, "The message kind, e.g. note")->required();
  send->add_option("file", flags->file, "FILE with the JSON object body, or - for stdin")
      ->required();
  send->add_option("--dir", flags->dir, "The node directory")->required();
  send->add_option("--tlp", flags->tlp, "TLP (default: the accord's tlp_default)");
  send->add_flag("--json", flags->json, "Print JSON");
  send->callback([flags, exit_code] { *exit_code = RunSend(*flags); });

  auto* status = app.add_subcommand(
      "status", "Party, accord, log, partners, undelivered messages and alerts");
  status->add_option("--dir", flags->dir, "The node directory")->required();
  status->add_flag("--json", flags->json, "Print JSON");
  status->callback([flags, exit_code] { *exit_code = RunStatus(*flags); });

  auto* ver = app.add_subcommand(
      "verify", "Check every signature, proof, receipt and checkpoint the node holds (exit 1 "
                "with one line per finding)");
  ver->add_option("--dir", flags->dir, "The node directory")->required();
  ver->add_flag("--json", flags->json, "Print JSON");
  ver->callback([flags, exit_code] { *exit_code = RunVerifyNode(*flags); });

  auto* msgs = app.add_subcommand("messages", "Messages sent and received");
  msgs->add_option("--dir", flags->dir, "The node directory")->required();
  msgs->add_option("--limit", flags->limit, "At most this many (default 1000)");
  msgs->add_flag("--all", flags->all, "Every message the node holds (no limit)");
  msgs->add_flag("--envelopes", flags->envelopes,
                 "With --json: add each message's signed envelope bytes (\"envelope\")");
  msgs->add_flag("--json", flags->json, "Print JSON");
  msgs->callback([flags, exit_code] { *exit_code = RunMessages(*flags); });
}

}  // namespace

DETENTE_REGISTER_COMMANDS(60, Register);

}  // namespace detente::cli
