// cli/node_cmd.cc: `detente init`, `detente serve` and `detente user add|list|token|grant|
// revoke`: flags -> server module -> exit code. Running a node: docs/operations.md.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "server/server.h"

namespace detente::cli {
namespace {

struct NodeFlags {
  std::string party, dir, listen, db, tls_cert, tls_key, name, collection, password;
  bool password_stdin = false, json = false, read = false, write = false;
};

base::Result<std::unique_ptr<server::UserStore>> OpenUsers(const std::string& dir) {
  ASSIGN_OR_RETURN(server::NodeConfig config, server::LoadConfig(dir));
  store::Options so;
  so.url = server::ResolveDatabaseUrl(config, dir);
  so.create = false;
  ASSIGN_OR_RETURN(auto conn, store::Connect(so));
  return server::UserStore::Open(std::move(conn));
}

int RunInit(const NodeFlags& f) {
  server::InitOptions o;
  o.party = f.party;
  o.dir = f.dir;
  if (base::Status s = server::InitNode(o); !s.ok()) return ReportError("init", s);
  std::cerr << "detente init: created node \"" << f.party << "\" in " << f.dir << "\n";
  return kExitOk;
}

int RunServe(const NodeFlags& f) {
  // Operational logs go to stderr with the access log; stdout stays clean.
  auto default_logger =
      std::make_shared<spdlog::logger>("detente", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  spdlog::set_default_logger(default_logger);
  auto config = server::LoadConfig(f.dir);
  if (!config.ok()) return ReportError("serve", config.status());
  if (!f.listen.empty()) config->listen = f.listen;
  if (!f.db.empty()) config->database = f.db;
  if (!f.tls_cert.empty() || !f.tls_key.empty()) {
    if (f.tls_cert.empty() || f.tls_key.empty()) {
      return ReportError("serve", base::InvalidArgumentError(
                                      "--tls-cert and --tls-key must be given together"));
    }
    config->tls_cert = f.tls_cert;
    config->tls_key = f.tls_key;
  }
  auto listen = server::ParseListenAddress(config->listen);
  if (!listen.ok()) return ReportError("serve", listen.status());

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
  // The TAXII 2.1 resources, on their own connection (the Service serialises its requests).
  // Migrations are re-applied so a node created by an older binary gains new tables.
  auto taxii_conn = store::Connect(so);
  if (!taxii_conn.ok()) return ReportError("serve", taxii_conn.status());
  if (base::Status s = store::Migrate(**taxii_conn, server::NodeMigrations()); !s.ok()) {
    return ReportError("serve", s);
  }
  taxii::Repository repo(**taxii_conn);
  server::TaxiiMount taxii_mount(repo, taxii::ServiceOptions{});
  if (base::Status s = taxii_mount.AddRoutes(router); !s.ok()) return ReportError("serve", s);

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
  (*srv)->Wait();
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
  if (verb == "grant") {
    // TODO(taxii): check that the collection exists once the taxii repository is linked.
    if (base::Status s = u.GrantAccess(f.name, f.collection, f.read, f.write); !s.ok()) {
      return ReportError(cmd, s);
    }
    return kExitOk;
  }
  // revoke
  if (base::Status s = u.RevokeAccess(f.name, f.collection, f.read, f.write); !s.ok()) {
    return ReportError(cmd, s);
  }
  return kExitOk;
}

void Register(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<NodeFlags>();

  auto* init = app.add_subcommand("init", "Create a node directory (config, signing key, "
                                          "database)");
  init->add_option("--party", flags->party, "This party's name")->required();
  init->add_option("--dir", flags->dir, "The node directory to create")->required();
  init->callback([flags, exit_code] { *exit_code = RunInit(*flags); });

  auto* serve = app.add_subcommand("serve", "Serve the node's HTTP(S) API until SIGINT/SIGTERM");
  serve->add_option("--dir", flags->dir, "The node directory")->required();
  serve->add_option("--listen", flags->listen, "host:port to listen on (port 0: any)");
  serve->add_option("--db", flags->db, "Database URL overriding the config");
  serve->add_option("--tls-cert", flags->tls_cert, "TLS certificate chain (PEM)");
  serve->add_option("--tls-key", flags->tls_key, "TLS private key (PEM)");
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
      *exit_code = ReportError("user add", base::InvalidArgumentError(
                                               "give --password or --password-stdin"));
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
      *exit_code = ReportError("user grant", base::InvalidArgumentError(
                                                 "give --read and/or --write"));
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
}

}  // namespace

DETENTE_REGISTER_COMMANDS(50, Register);

}  // namespace detente::cli
