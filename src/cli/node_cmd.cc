// cli/node_cmd.cc: `detente init`, `detente serve`, `detente user add|list|token|grant|
// revoke` and `detente collection add|list|policy`: flags -> server/taxii modules -> exit code.
// `init --accord FILE --key PEM` also joins the node to an accord; `serve` of a node that has
// joined one also serves /peer/v1/ and runs the peer agent. Running a node: docs/operations.md.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accord/accord.h"
#include "cli/cli.h"
#include "peer/peer.h"
#include "server/server.h"

namespace detente::cli {
namespace {

struct NodeFlags {
  std::string party, dir, listen, db, tls_cert, tls_key, name, collection, password;
  bool password_stdin = false, json = false, read = false, write = false;
  // collection add / policy
  std::string title, description, alias, api_root = std::string(server::kDefaultApiRoot);
  std::optional<std::string> red_users, amber_strict_users;
  // init --accord/--key; serve --sync-interval-ms (0: the config's sync_interval_ms)
  std::string accord_file, key_file;
  int64_t sync_interval_ms = 0;
  // serve --web DIR / --no-web (the dashboard's built files; default: kDefaultWebDir)
  std::string web;
  bool no_web = false;
  // serve --clock-speed N --clock-epoch T (override the config's [clock]; 0/"": keep it)
  int64_t clock_speed = 0;
  std::string clock_epoch;
};

// The dashboard's built files in the source tree (`make web` writes them).
#ifdef DETENTE_WEB_DIR
constexpr std::string_view kDefaultWebDir = DETENTE_WEB_DIR;
#else
constexpr std::string_view kDefaultWebDir = "";
#endif

// A connection to the node's database with every migration applied (so a node made by an
// older binary gains new tables), and its config.
struct OpenedNode {
  server::NodeConfig config;
  std::unique_ptr<store::Connection> conn;
};

base::Result<OpenedNode> OpenNode(const std::string& dir) {
  OpenedNode n;
  ASSIGN_OR_RETURN(n.config, server::LoadConfig(dir));
  store::Options so;
  so.url = server::ResolveDatabaseUrl(n.config, dir);
  so.create = false;
  ASSIGN_OR_RETURN(n.conn, store::Connect(so));
  RETURN_IF_ERROR(store::Migrate(*n.conn, server::NodeMigrations()));
  return n;
}

// The id of the collection named by `id_or_alias`. Errors: kNotFound naming it, store errors.
base::Result<std::string> ResolveCollection(const std::string& dir,
                                            const std::string& id_or_alias) {
  ASSIGN_OR_RETURN(OpenedNode node, OpenNode(dir));
  taxii::Repository repo(*node.conn);
  ASSIGN_OR_RETURN(taxii::CollectionInfo c, server::FindCollection(repo, id_or_alias));
  return c.id;
}

void AppendJsonList(std::string* out, const std::vector<std::string>& items) {
  *out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) *out += ',';
    base::AppendJsonString(out, items[i]);
  }
  *out += ']';
}

// For people: "a,b", or "(none)".
std::string JoinComma(const std::vector<std::string>& items) {
  if (items.empty()) return "(none)";
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

base::Result<std::unique_ptr<server::UserStore>> OpenUsers(const std::string& dir) {
  ASSIGN_OR_RETURN(server::NodeConfig config, server::LoadConfig(dir));
  store::Options so;
  so.url = server::ResolveDatabaseUrl(config, dir);
  so.create = false;
  ASSIGN_OR_RETURN(auto conn, store::Connect(so));
  return server::UserStore::Open(std::move(conn));
}

// Joins the node just created in f.dir to the accord read from f.accord_file with the key
// f.key_file (which replaces the generated signing.key).
base::Status JoinAtInit(const NodeFlags& f, const accord::Accord& doc,
                        const crypto::SigningKey& key) {
  RETURN_IF_ERROR(key.SaveFile(f.dir + "/" + std::string(server::kSigningKeyFile),
                               /*overwrite=*/true));
  ASSIGN_OR_RETURN(OpenedNode node, OpenNode(f.dir));
  return accord::Exchange::Join(*node.conn, doc, f.party, key);
}

int RunInit(const NodeFlags& f) {
  std::optional<accord::Accord> doc;
  std::optional<crypto::SigningKey> key;
  if (!f.accord_file.empty() || !f.key_file.empty()) {
    if (f.accord_file.empty() || f.key_file.empty()) {
      ReportError("init", base::InvalidArgumentError("--accord and --key go together"));
      return kExitUsage;
    }
    // Everything is checked before the directory is created.
    auto text = ReadInput(f.accord_file);
    if (!text.ok()) return ReportError("init", text.status());
    auto parsed = accord::Accord::Parse(*text);
    if (!parsed.ok()) return ReportError("init", parsed.status().WithContext(f.accord_file));
    if (base::Status s = parsed->Verify(true); !s.ok()) {
      return ReportError("init", s.WithContext(f.accord_file));
    }
    auto loaded = crypto::SigningKey::LoadFile(f.key_file);
    if (!loaded.ok()) return ReportError("init", loaded.status());
    const accord::Party* p = parsed->FindParty(f.party);
    if (p == nullptr) {
      return ReportError("init", base::InvalidArgumentError("party \"" + f.party +
                                                            "\" is not in the accord " +
                                                            f.accord_file));
    }
    if (p->key != loaded->public_key()) {
      return ReportError("init", base::InvalidArgumentError(
                                     f.key_file + " is not the key of party \"" + f.party +
                                     "\" in the accord"));
    }
    doc = std::move(parsed).value();
    key = std::move(loaded).value();
  }
  server::InitOptions o;
  o.party = f.party;
  o.dir = f.dir;
  if (base::Status s = server::InitNode(o); !s.ok()) return ReportError("init", s);
  if (doc) {
    if (base::Status s = JoinAtInit(f, *doc, *key); !s.ok()) return ReportError("init", s);
    std::cerr << "detente init: created node \"" << f.party << "\" in " << f.dir
              << ", joined accord " << doc->Hash() << "\n";
    return kExitOk;
  }
  std::cerr << "detente init: created node \"" << f.party << "\" in " << f.dir << "\n";
  return kExitOk;
}

int RunServe(const NodeFlags& f) {
  // Operational logs go to stderr with the access log; stdout stays clean.
  auto default_logger = std::make_shared<spdlog::logger>(
      "detente", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  spdlog::set_default_logger(default_logger);
  auto config = server::LoadConfig(f.dir);
  if (!config.ok()) return ReportError("serve", config.status());
  if (!f.listen.empty()) config->listen = f.listen;
  if (!f.db.empty()) config->database = f.db;
  if (!f.tls_cert.empty() || !f.tls_key.empty()) {
    if (f.tls_cert.empty() || f.tls_key.empty()) {
      return ReportError(
          "serve", base::InvalidArgumentError("--tls-cert and --tls-key must be given together"));
    }
    config->tls_cert = f.tls_cert;
    config->tls_key = f.tls_key;
  }
  auto listen = server::ParseListenAddress(config->listen);
  if (!listen.ok()) return ReportError("serve", listen.status());
  // The fast clock (config [clock], docs/operations.md): demos and drills only.
  if (f.clock_speed > 0) config->clock_speed = f.clock_speed;
  if (!f.clock_epoch.empty()) {
    auto epoch = base::Timestamp::Parse(f.clock_epoch);
    if (!epoch.ok()) return ReportError("serve", epoch.status().WithContext("--clock-epoch"));
    config->clock_epoch = *epoch;
  }
  if (base::Status s = server::CheckClockConfig(*config); !s.ok()) {
    return ReportError("serve", s);
  }
  const base::Clock* node_clock = server::NodeClock(*config);
  if (node_clock != &base::SystemClock::Default()) {
    std::cerr << "detente serve: fast clock (demos and drills only): " << config->clock_speed
              << "x from " << config->clock_epoch->FormatMillis() << ", now "
              << node_clock->Now().FormatMillis() << std::endl;
  }

  // f.db overrides are taken as given (relative to the working directory), the config's
  // relative to the node directory.
  store::Options so;
  so.url = f.db.empty() ? server::ResolveDatabaseUrl(*config, f.dir) : f.db;
  so.create = false;
  auto conn = store::Connect(so);
  if (!conn.ok()) return ReportError("serve", conn.status());
  auto users = server::UserStore::Open(std::move(conn).value());
  if (!users.ok()) return ReportError("serve", users.status());

  server::Metrics metrics;
  server::Router router;
  if (base::Status s = server::AddBuiltinRoutes(router, &metrics); !s.ok()) {
    return ReportError("serve", s);
  }
  // The TAXII 2.1 resources. Migrations are re-applied (on a connection of their own) so a
  // node created by an older binary gains new tables.
  auto taxii_conn = store::Connect(so);
  if (!taxii_conn.ok()) return ReportError("serve", taxii_conn.status());
  if (base::Status s = store::Migrate(**taxii_conn, server::NodeMigrations()); !s.ok()) {
    return ReportError("serve", s);
  }
  taxii::Repository repo(**taxii_conn);
  if (base::Status s = server::EnsureDefaultApiRoot(repo, config->party); !s.ok()) {
    return ReportError("serve", s);
  }
  // The persistent cursor key, so `next` cursors survive a restart.
  auto cursor_key = server::LoadOrCreateCursorKey(f.dir);
  if (!cursor_key.ok()) return ReportError("serve", cursor_key.status());
  taxii::ServiceOptions taxii_options;
  taxii_options.cursor_key = std::move(cursor_key).value();
  taxii_options.discovery.title = "detente node " + config->party;
  taxii_options.discovery.default_api_root = std::string(server::kDefaultApiRoot);
  // A Service per concurrent request (up to worker_threads), each on its own connection.
  server::TaxiiMount taxii_mount(
      [so]() -> base::Result<std::unique_ptr<store::Connection>> { return store::Connect(so); },
      std::move(taxii_options), static_cast<size_t>(config->worker_threads));
  if (base::Status s = taxii_mount.AddRoutes(router); !s.ok()) return ReportError("serve", s);

  // The peer protocol and agent, when the node has joined an accord. The exchange's
  // connection is fsynced at every commit: what a partner was told is stored must be.
  std::unique_ptr<peer::SharedExchange> exchange;
  std::unique_ptr<peer::Endpoint> peer_endpoint;
  std::unique_ptr<server::PeerMount> peer_mount;
  std::unique_ptr<peer::Agent> agent;
  std::unique_ptr<server::ApiMount> api_mount;
  {
    store::Options po = so;
    po.synchronous = store::Synchronous::kFull;
    auto peer_conn = store::Connect(po);
    if (!peer_conn.ok()) return ReportError("serve", peer_conn.status());
    auto joined = accord::Exchange::LoadAccord(**peer_conn);
    if (!joined.ok()) return ReportError("serve", joined.status());
    if (joined->has_value()) {
      auto key = crypto::SigningKey::LoadFile(f.dir + "/" + std::string(server::kSigningKeyFile));
      if (!key.ok()) return ReportError("serve", key.status());
      accord::ExchangeOptions eo;
      eo.clock = node_clock;
      auto ex = accord::Exchange::Open(std::move(peer_conn).value(), config->party, *key, eo);
      if (!ex.ok()) return ReportError("serve", ex.status());
      exchange = std::make_unique<peer::SharedExchange>(std::move(ex).value());
      peer_endpoint = std::make_unique<peer::Endpoint>(exchange.get(), node_clock);
      peer_mount = std::make_unique<server::PeerMount>(peer_endpoint.get());
      if (base::Status s = peer_mount->AddRoutes(router); !s.ok()) return ReportError("serve", s);
      peer::AgentOptions ao;
      ao.clock = node_clock;
      ao.sync_interval = f.sync_interval_ms > 0 ? std::chrono::milliseconds(f.sync_interval_ms)
                                                : config->sync_interval;
      ao.log = [](std::string_view msg) { spdlog::warn("peer: {}", msg); };
      agent = std::make_unique<peer::Agent>(exchange.get(), *key, std::move(ao));
      // What local tools POST to "to-<party>" / "to-all" is shared (TLP rules checked first).
      taxii_mount.SetOutbound(
          server::ShareOutbound(exchange.get(), [a = agent.get()] { a->Notify(); }));
      // The JSON API (docs/api.md "Accord API").
      api_mount = std::make_unique<server::ApiMount>(exchange.get(), users->get(),
                                                     [a = agent.get()] { a->Notify(); });
      if (base::Status s = api_mount->AddRoutes(router); !s.ok()) return ReportError("serve", s);
    }
  }

  // The dashboard (docs/dashboard.md): the built web/dist at /, when there is one. An explicit
  // --web DIR that cannot be served is an error; a missing default is only logged.
  std::unique_ptr<server::StaticMount> web_mount;
  if (!f.no_web) {
    std::string web_dir = f.web.empty() ? std::string(kDefaultWebDir) : f.web;
    auto loaded = web_dir.empty() ? base::Result<std::unique_ptr<server::StaticMount>>(
                                        base::NotFoundError("no default web directory compiled in"))
                                  : server::StaticMount::Load(web_dir,
                                                              {server::DashboardClientRoutes()});
    if (loaded.ok()) {
      web_mount = std::move(loaded).value();
      if (base::Status s = web_mount->AddRoutes(router); !s.ok()) return ReportError("serve", s);
      std::cerr << "detente serve: dashboard at / from " << web_mount->dir() << " ("
                << web_mount->file_count() << " files)" << std::endl;
    } else if (!f.web.empty()) {
      return ReportError("serve", loaded.status());
    } else {
      std::cerr << "detente serve: no dashboard: " << loaded.status().message()
                << "; pass --web DIR to serve one" << std::endl;
    }
  }

  server::ServerOptions o;
  o.host = listen->host;
  o.port = listen->port;
  o.threads = config->worker_threads;
  o.max_content_length = config->max_content_length;
  o.max_header_bytes = static_cast<uint32_t>(config->max_header_bytes);
  o.read_header_timeout = config->read_header_timeout;
  o.body_timeout = config->body_timeout;
  o.idle_timeout = config->idle_timeout;
  o.write_timeout = config->write_timeout;
  o.shutdown_timeout = config->shutdown_timeout;
  if (!config->tls_cert.empty()) {
    bool from_flags = !f.tls_cert.empty();
    o.tls_cert_file = from_flags ? config->tls_cert : server::ResolvePath(config->tls_cert, f.dir);
    o.tls_key_file = from_flags ? config->tls_key : server::ResolvePath(config->tls_key, f.dir);
  }
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  o.access_log = std::make_shared<spdlog::logger>("access", sink);
  o.access_log->set_pattern("%v");
  o.access_log->flush_on(spdlog::level::info);

  auto srv = server::Server::Start(o, router, users->get(), &metrics);
  if (!srv.ok()) return ReportError("serve", srv.status());
  (*srv)->HandleSignals();
  std::cerr << "detente serve: party " << config->party << " listening on " << (*srv)->url()
            << std::endl;
  // The workflows: received shares, retractions and sightings applied to the TAXII
  // collections, and the reminders, escalations and status reports due, every sync interval.
  std::thread workflow_ticker;
  std::mutex ticker_mu;
  std::condition_variable ticker_cv;
  bool ticker_stop = false;
  if (agent) {
    agent->Start();
    std::cerr << "detente serve: peer agent running (accord " << exchange->accord().Hash()
              << ")" << std::endl;
    base::Status ensured = exchange->With(
        [](accord::Exchange& ex) { return accord::Workflows(ex).EnsureCollections(); });
    if (!ensured.ok()) spdlog::warn("workflows: {}", ensured.ToString());
    const auto interval = f.sync_interval_ms > 0 ? std::chrono::milliseconds(f.sync_interval_ms)
                                                 : config->sync_interval;
    workflow_ticker = std::thread([&, interval] {
      std::unique_lock<std::mutex> lock(ticker_mu);
      while (!ticker_stop) {
        lock.unlock();
        auto report = exchange->With([](accord::Exchange& ex) { return accord::Workflows(ex).Tick(); });
        if (!report.ok()) {
          spdlog::warn("workflows: {}", report.status().ToString());
        } else {
          for (const std::string& e : report->errors) spdlog::warn("workflows: {}", e);
          if (!report->sent.empty()) agent->Notify();
        }
        lock.lock();
        ticker_cv.wait_for(lock, interval, [&] { return ticker_stop; });
      }
    });
  }
  (*srv)->Wait();
  if (workflow_ticker.joinable()) {
    {
      std::lock_guard<std::mutex> lock(ticker_mu);
      ticker_stop = true;
    }
    ticker_cv.notify_all();
    workflow_ticker.join();
  }
  if (agent) agent->Stop();
  std::cerr << "detente serve: stopped" << std::endl;
  return kExitOk;
}

int RunUser(const std::string& verb, const NodeFlags& f) {
  const std::string cmd = "user " + verb;
  auto users = OpenUsers(f.dir);
  if (!users.ok()) return ReportError(cmd, users.status());
  server::UserStore& u = **users;
  if (verb == "add") {
    std::string password = f.password;
    if (f.password_stdin) {
      if (!std::getline(std::cin, password)) {
        return ReportError(cmd, base::InvalidArgumentError("no password on standard input"));
      }
      if (!password.empty() && password.back() == '\r') password.pop_back();
    }
    if (base::Status s = u.AddUser(f.name, password); !s.ok()) return ReportError(cmd, s);
    std::cerr << "detente user add: added " << f.name << "\n";
    return kExitOk;
  }
  if (verb == "list") {
    auto list = u.ListUsers();
    if (!list.ok()) return ReportError(cmd, list.status());
    if (f.json) {
      std::string out = "[";
      for (size_t i = 0; i < list->size(); ++i) {
        const server::UserInfo& info = (*list)[i];
        out += i == 0 ? "{\"name\":" : ",{\"name\":";
        base::AppendJsonString(&out, info.name);
        out += ",\"created\":";
        base::AppendJsonString(&out, info.created);
        out += ",\"tokens\":" + std::to_string(info.tokens) + ",\"grants\":[";
        for (size_t j = 0; j < info.grants.size(); ++j) {
          out += j == 0 ? "{\"collection\":" : ",{\"collection\":";
          base::AppendJsonString(&out, info.grants[j].collection);
          out += std::string(",\"read\":") + (info.grants[j].read ? "true" : "false") +
                 ",\"write\":" + (info.grants[j].write ? "true" : "false") + "}";
        }
        out += "]}";
      }
      std::cout << out << "]\n";
    } else {
      for (const server::UserInfo& info : *list) {
        std::cout << info.name << "\tcreated=" << info.created << "\ttokens=" << info.tokens;
        for (const server::Grant& g : info.grants) {
          std::cout << "\t" << g.collection << ":" << (g.read ? "r" : "") << (g.write ? "w" : "");
        }
        std::cout << "\n";
      }
    }
    return kExitOk;
  }
  if (verb == "token") {
    auto token = u.IssueToken(f.name);
    if (!token.ok()) return ReportError(cmd, token.status());
    std::cout << *token << "\n";
    std::cerr << "detente user token: this token is shown once; store it now\n";
    return kExitOk;
  }
  // grant / revoke: the collection must exist (an alias is resolved to its id). A missing
  // collection is the input's fault (exit 1), unlike a missing user or node (exit 2).
  // The pseudo-collection "accord" (acting through the JSON API) names no TAXII collection.
  auto collection = f.collection == server::kAccordGrant
                        ? base::Result<std::string>(std::string(server::kAccordGrant))
                        : ResolveCollection(f.dir, f.collection);
  if (!collection.ok()) {
    int rc = ReportError(cmd, collection.status());
    return collection.status().code() == base::StatusCode::kNotFound ? kExitInvalid : rc;
  }
  if (verb == "grant") {
    if (base::Status s = u.GrantAccess(f.name, *collection, f.read, f.write); !s.ok()) {
      return ReportError(cmd, s);
    }
    return kExitOk;
  }
  // revoke
  if (base::Status s = u.RevokeAccess(f.name, *collection, f.read, f.write); !s.ok()) {
    return ReportError(cmd, s);
  }
  return kExitOk;
}

// Parses the --red-users/--amber-strict-users flags given into `policy` (starting from it).
base::Status ApplyPolicyFlags(const NodeFlags& f, server::TlpPolicy* policy) {
  if (f.red_users) {
    ASSIGN_OR_RETURN(policy->red_users, server::ParseUserList(*f.red_users));
  }
  if (f.amber_strict_users) {
    ASSIGN_OR_RETURN(policy->amber_strict_users, server::ParseUserList(*f.amber_strict_users));
  }
  return base::OkStatus();
}

int RunCollection(const std::string& verb, const NodeFlags& f) {
  const std::string cmd = "collection " + verb;
  auto node = OpenNode(f.dir);
  if (!node.ok()) return ReportError(cmd, node.status());
  store::Connection& conn = *node->conn;
  taxii::Repository repo(conn);
  if (base::Status s = server::EnsureDefaultApiRoot(repo, node->config.party); !s.ok()) {
    return ReportError(cmd, s);
  }
  if (verb == "add") {
    server::TlpPolicy policy;
    if (base::Status s = ApplyPolicyFlags(f, &policy); !s.ok()) return ReportError(cmd, s);
    taxii::CollectionInfo info;
    info.api_root = f.api_root;
    info.title = f.title;
    info.description = f.description;
    info.alias = f.alias;
    auto tx = store::Transaction::Begin(conn);
    if (!tx.ok()) return ReportError(cmd, tx.status());
    auto created = repo.CreateCollection(std::move(info));
    if (!created.ok()) return ReportError(cmd, created.status());
    if (f.red_users || f.amber_strict_users) {
      if (base::Status s = server::SetTlpPolicy(conn, created->id, policy); !s.ok()) {
        return ReportError(cmd, s);
      }
    }
    if (base::Status s = tx->Commit(); !s.ok()) return ReportError(cmd, s);
    if (f.json) {
      std::string out = "{\"id\":";
      base::AppendJsonString(&out, created->id);
      std::cout << out << "}\n";
    } else {
      std::cout << "created collection " << created->id << " (\"" << created->title
                << "\") in API root " << created->api_root << "\n";
    }
    return kExitOk;
  }
  if (verb == "list") {
    auto roots = repo.ListApiRoots();
    if (!roots.ok()) return ReportError(cmd, roots.status());
    std::string json = "[";
    std::vector<std::vector<std::string>> table = {
        {"ID", "API ROOT", "TITLE", "ALIAS", "OBJECTS", "RED", "AMBER+STRICT"}};
    for (const taxii::ApiRootInfo& root : *roots) {
      auto list = repo.ListCollections(root.name);
      if (!list.ok()) return ReportError(cmd, list.status());
      for (const taxii::CollectionInfo& c : *list) {
        auto count = repo.CountObjects(c);
        if (!count.ok()) return ReportError(cmd, count.status());
        auto policy = server::GetTlpPolicy(conn, c.id);
        if (!policy.ok()) return ReportError(cmd, policy.status());
        if (json.size() > 1) json += ',';
        json += "{\"id\":";
        base::AppendJsonString(&json, c.id);
        json += ",\"api_root\":";
        base::AppendJsonString(&json, c.api_root);
        json += ",\"title\":";
        base::AppendJsonString(&json, c.title);
        json += ",\"description\":";
        base::AppendJsonString(&json, c.description);
        json += ",\"alias\":";
        base::AppendJsonString(&json, c.alias);
        json += ",\"objects\":" + std::to_string(*count);
        if (policy->has_value()) {
          json += ",\"tlp_policy\":{\"red_users\":";
          AppendJsonList(&json, (*policy)->red_users);
          json += ",\"amber_strict_users\":";
          AppendJsonList(&json, (*policy)->amber_strict_users);
          json += "}";
        }
        json += "}";
        table.push_back({c.id, c.api_root, c.title, c.alias.empty() ? "-" : c.alias,
                         std::to_string(*count),
                         policy->has_value() ? JoinComma((*policy)->red_users) : "(none)",
                         policy->has_value() ? JoinComma((*policy)->amber_strict_users) : "(none)"});
      }
    }
    if (f.json) {
      std::cout << json << "]\n";
      return kExitOk;
    }
    PrintTable(table);
    return kExitOk;
  }
  // policy: show, or replace the lists given. The pseudo-collection "accord" holds the policy
  // of the JSON API's cases and messages (docs/api.md "Accord API").
  taxii::CollectionInfo accord_pseudo;
  accord_pseudo.id = std::string(server::kAccordGrant);
  auto c = f.collection == server::kAccordGrant ? base::Result<taxii::CollectionInfo>(accord_pseudo)
                                                : server::FindCollection(repo, f.collection);
  if (!c.ok()) {
    int rc = ReportError(cmd, c.status());
    return c.status().code() == base::StatusCode::kNotFound ? kExitInvalid : rc;
  }
  auto current = server::GetTlpPolicy(conn, c->id);
  if (!current.ok()) return ReportError(cmd, current.status());
  server::TlpPolicy policy = current->value_or(server::TlpPolicy{});
  if (f.red_users || f.amber_strict_users) {
    if (base::Status s = ApplyPolicyFlags(f, &policy); !s.ok()) return ReportError(cmd, s);
    if (base::Status s = server::SetTlpPolicy(conn, c->id, policy); !s.ok()) {
      return ReportError(cmd, s);
    }
  } else if (!current->has_value()) {
    if (f.json) {
      std::cout << "{\"collection\":";
      std::string id;
      base::AppendJsonString(&id, c->id);
      std::cout << id << ",\"tlp_policy\":null}\n";
    } else {
      std::cout << c->id
                << ": no TLP policy (deny by default: readers see up to TLP:AMBER; "
                   "name TLP:RED and AMBER+STRICT readers with --red-users / "
                   "--amber-strict-users)\n";
    }
    return kExitOk;
  }
  if (f.json) {
    std::string out = "{\"collection\":";
    base::AppendJsonString(&out, c->id);
    out += ",\"tlp_policy\":{\"red_users\":";
    AppendJsonList(&out, policy.red_users);
    out += ",\"amber_strict_users\":";
    AppendJsonList(&out, policy.amber_strict_users);
    std::cout << out << "}}\n";
  } else {
    std::cout << c->id << ": TLP:RED users: " << JoinComma(policy.red_users)
              << "; TLP:AMBER+STRICT users: " << JoinComma(policy.amber_strict_users) << "\n";
  }
  return kExitOk;
}

void Register(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<NodeFlags>();

  auto* init = app.add_subcommand("init",
                                  "Create a node directory (config, signing key, "
                                  "database)");
  init->add_option("--party", flags->party, "This party's name")->required();
  init->add_option("--dir", flags->dir, "The node directory to create")->required();
  init->add_option("--accord", flags->accord_file,
                   "Join this fully signed accord document at once (with --key)");
  init->add_option("--key", flags->key_file,
                   "The party's existing signing key (PKCS#8 PEM) for --accord");
  init->callback([flags, exit_code] { *exit_code = RunInit(*flags); });

  auto* serve = app.add_subcommand("serve", "Serve the node's HTTP(S) API until SIGINT/SIGTERM");
  serve->add_option("--dir", flags->dir, "The node directory")->required();
  serve->add_option("--listen", flags->listen, "host:port to listen on (port 0: any)");
  serve->add_option("--db", flags->db, "Database URL overriding the config");
  serve->add_option("--tls-cert", flags->tls_cert, "TLS certificate chain (PEM)");
  serve->add_option("--tls-key", flags->tls_key, "TLS private key (PEM)");
  serve->add_option("--sync-interval-ms", flags->sync_interval_ms,
                    "Peer agent: poll, pull, witness and gossip every this many ms "
                    "(default: config sync_interval_ms, 1000)")
      ->check(CLI::Range(int64_t{10}, int64_t{86'400'000}));
  serve->add_option("--web", flags->web,
                    "Serve the dashboard's built files from DIR at / (default: the source "
                    "tree's web/dist, when `make web` has built it)");
  serve->add_flag("--no-web", flags->no_web, "Serve no dashboard");
  serve->add_option("--clock-speed", flags->clock_speed,
                    "Fast clock for demos and drills: time runs N times faster from "
                    "--clock-epoch (overrides config [clock] speed)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000}));
  serve->add_option("--clock-epoch", flags->clock_epoch,
                    "RFC 3339 instant the fast clock starts from; give every node the same "
                    "(overrides config [clock] epoch)");
  serve->callback([flags, exit_code] { *exit_code = RunServe(*flags); });

  auto* user = app.add_subcommand("user", "Manage the node's API users");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Add a user with a password");
  add->add_option("name", flags->name, "User name")->required();
  add->add_option("--dir", flags->dir, "The node directory")->required();
  auto* pw = add->add_option("--password", flags->password, "The password");
  auto* pws = add->add_flag("--password-stdin", flags->password_stdin,
                            "Read the password from the first line of standard input");
  pw->excludes(pws);
  add->callback([flags, exit_code, pw, pws] {
    if (pw->count() == 0 && pws->count() == 0) {
      *exit_code = ReportError("user add",
                               base::InvalidArgumentError("give --password or --password-stdin"));
      *exit_code = kExitUsage;
      return;
    }
    *exit_code = RunUser("add", *flags);
  });

  auto* list = user->add_subcommand("list", "List users, their tokens and grants");
  list->add_option("--dir", flags->dir, "The node directory")->required();
  list->add_flag("--json", flags->json, "Print JSON");
  list->callback([flags, exit_code] { *exit_code = RunUser("list", *flags); });

  auto* token = user->add_subcommand("token", "Issue a bearer token (printed once)");
  token->add_option("name", flags->name, "User name")->required();
  token->add_option("--dir", flags->dir, "The node directory")->required();
  token->callback([flags, exit_code] { *exit_code = RunUser("token", *flags); });

  auto* grant = user->add_subcommand("grant", "Grant read and/or write on a collection");
  grant->add_option("name", flags->name, "User name")->required();
  grant->add_option("collection", flags->collection, "Collection id")->required();
  grant->add_flag("--read", flags->read, "Grant read");
  grant->add_flag("--write", flags->write, "Grant write");
  grant->add_option("--dir", flags->dir, "The node directory")->required();
  grant->callback([flags, exit_code] {
    if (!flags->read && !flags->write) {
      *exit_code =
          ReportError("user grant", base::InvalidArgumentError("give --read and/or --write"));
      *exit_code = kExitUsage;
      return;
    }
    *exit_code = RunUser("grant", *flags);
  });

  auto* revoke = user->add_subcommand("revoke",
                                      "Revoke read and/or write on a collection (both if "
                                      "neither flag is given)");
  revoke->add_option("name", flags->name, "User name")->required();
  revoke->add_option("collection", flags->collection, "Collection id")->required();
  revoke->add_flag("--read", flags->read, "Revoke read");
  revoke->add_flag("--write", flags->write, "Revoke write");
  revoke->add_option("--dir", flags->dir, "The node directory")->required();
  revoke->callback([flags, exit_code] { *exit_code = RunUser("revoke", *flags); });

  auto* coll = app.add_subcommand("collection", "Manage the node's TAXII collections");
  coll->require_subcommand(1);
  auto add_policy_flags = [flags](CLI::App* c) {
    c->add_option("--red-users", flags->red_users,
                  "Comma-separated users who may see TLP:RED (and AMBER+STRICT) objects");
    c->add_option("--amber-strict-users", flags->amber_strict_users,
                  "Comma-separated users who may see TLP:AMBER+STRICT objects");
  };
  auto* cadd =
      coll->add_subcommand("add", "Create a collection (in API root " +
                                      std::string(server::kDefaultApiRoot) + " unless --api-root)");
  cadd->add_option("--title", flags->title, "Title")->required();
  cadd->add_option("--dir", flags->dir, "The node directory")->required();
  cadd->add_option("--description", flags->description, "Description");
  cadd->add_option("--alias", flags->alias, "Alias (unique in the API root)");
  cadd->add_option("--api-root", flags->api_root, "API root name");
  cadd->add_flag("--json", flags->json, "Print {\"id\": ...}");
  add_policy_flags(cadd);
  cadd->callback([flags, exit_code] { *exit_code = RunCollection("add", *flags); });

  auto* clist = coll->add_subcommand("list", "List collections with object counts");
  clist->add_option("--dir", flags->dir, "The node directory")->required();
  clist->add_flag("--json", flags->json, "Print JSON");
  clist->callback([flags, exit_code] { *exit_code = RunCollection("list", *flags); });

  auto* cpol = coll->add_subcommand("policy",
                                    "Show or set a collection's TLP policy (a list "
                                    "given replaces the old one; \"\" empties it)");
  cpol->add_option("collection", flags->collection, "Collection id or alias")->required();
  cpol->add_option("--dir", flags->dir, "The node directory")->required();
  cpol->add_flag("--json", flags->json, "Print JSON");
  add_policy_flags(cpol);
  cpol->callback([flags, exit_code] { *exit_code = RunCollection("policy", *flags); });
}

}  // namespace

DETENTE_REGISTER_COMMANDS(50, Register);

}  // namespace detente::cli
