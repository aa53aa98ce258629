// testing/node_harness.cc: see node_harness.h.
#include "testing/node_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "base/check.h"
#include "store/store.h"
#include "testing/pg_cluster.h"

namespace detente::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using base::Status;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Waits for `pid` up to `timeout`; returns the wait status, or nullopt if still running.
std::optional<int> WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return 0;  // not our child any more
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Forks and execs DETENTE_BINARY with argv `args` (args[0] is the program name); stdin, stdout
// and stderr go to the given paths ("" = /dev/null; stderr_append appends).
pid_t Spawn(const std::vector<std::string>& args, const std::string& in, const std::string& out,
            const std::string& err, bool err_append) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls from here.
  int fin = ::open(in.empty() ? "/dev/null" : in.c_str(), O_RDONLY);
  int fout = ::open(out.empty() ? "/dev/null" : out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int ferr = ::open(err.empty() ? "/dev/null" : err.c_str(),
                    O_WRONLY | O_CREAT | (err_append ? O_APPEND : O_TRUNC), 0600);
  if (fin < 0 || fout < 0 || ferr < 0) ::_exit(126);
  ::dup2(fin, 0);
  ::dup2(fout, 1);
  ::dup2(ferr, 2);
  ::setpgid(0, 0);
  ::execv(DETENTE_BINARY, argv.data());
  ::_exit(127);
}

const json::value* Member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}

std::string Str(const json::value& v, std::string_view key) {
  const json::value* m = Member(v, key);
  if (m == nullptr) return "";
  if (m->is_string()) return std::string(m->as_string());
  if (m->is_null()) return "";
  return json::serialize(*m);
}

int64_t Int(const json::value& v, std::string_view key) {
  const json::value* m = Member(v, key);
  if (m == nullptr) return 0;
  if (m->is_int64()) return m->as_int64();
  if (m->is_uint64()) return static_cast<int64_t>(m->as_uint64());
  if (m->is_string()) return std::atoll(std::string(m->as_string()).c_str());
  return 0;
}

base::Result<json::value> ParseJson(const ProcResult& r) {
  json::error_code ec;
  json::value v = json::parse(r.out, ec);
  if (ec) {
    return base::InvalidArgumentError("output of `" + r.command + "` is not JSON (" + ec.message() +
                                      "): " + r.out.substr(0, 2000) +
                                      " stderr: " + r.err.substr(0, 2000));
  }
  return v;
}

Status CommandError(const ProcResult& r) {
  if (r.timed_out) return base::DeadlineExceededError(r.Describe());
  return base::FailedPreconditionError(r.Describe());
}

}  // namespace

std::string ProcResult::Describe() const {
  std::string s = "`" + command + "` ";
  s += timed_out ? std::string("timed out") : "exited " + std::to_string(rc);
  std::string tail = err.empty() ? out : err;
  if (tail.size() > 4000) tail = "..." + tail.substr(tail.size() - 4000);
  return s + ": " + tail;
}

ProcResult RunDetenteArgs(const std::string& scratch, const std::vector<std::string>& args,
                          const std::string& input, std::chrono::milliseconds timeout) {
  ProcResult r;
  r.command = "detente " + Join(args, " ");
  const std::string in = scratch + "/cmd.in", out = scratch + "/cmd.out",
                    err = scratch + "/cmd.err";
  std::ofstream(in, std::ios::binary) << input;
  std::vector<std::string> argv = {"detente"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = Spawn(argv, in, out, err, false);
  if (pid < 0) {
    r.err = "fork failed";
    return r;
  }
  std::optional<int> status = WaitFor(pid, timeout);
  if (!status) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    r.timed_out = true;
  } else {
    r.rc = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  }
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

// ---------------------------------------------------------------------------------------------

std::string Shell(const std::string& cmd, int* rc) {
  std::string out;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *rc = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

base::Result<std::unique_ptr<Cluster>> Cluster::Create(Options options) {
  std::unique_ptr<Cluster> c(new Cluster(options));
  std::string tmpl = (fs::temp_directory_path() / "detente_integ_XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return base::UnavailableError("mkdtemp: " + std::string(std::strerror(errno)));
  }
  c->scratch_ = tmpl;
  return c;
}

Cluster::~Cluster() {
  for (auto& [label, n] : nodes_) {
    if (n.pid > 0) {
      ::kill(n.pid, SIGKILL);
      ::waitpid(n.pid, nullptr, 0);
      n.pid = -1;
    }
  }
  const char* keep = std::getenv("DETENTE_KEEP_SCRATCH");
  if (keep == nullptr || std::string(keep) != "1") {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }
}

Node& Cluster::node(const std::string& label) {
  auto it = nodes_.find(label);
  DETENTE_CHECK(it != nodes_.end());  // a test names only nodes it added
  return it->second;
}

ProcResult Cluster::RunPlain(const std::vector<std::string>& args, const std::string& input) {
  return RunDetenteArgs(scratch_, args, input, options_.command_timeout);
}

ProcResult Cluster::Run(const std::string& label, std::vector<std::string> args,
                        const std::string& input) {
  args.push_back("--dir");
  args.push_back(node(label).dir);
  return RunPlain(args, input);
}

Status Cluster::AddNode(const std::string& label, bool postgres, const std::string& party) {
  if (nodes_.count(label) != 0) return base::AlreadyExistsError("node " + label);
  Node n;
  n.label = label;
  n.party = party.empty() ? label : party;
  n.dir = scratch_ + "/" + label;
  n.serve_log = scratch_ + "/" + label + ".serve.log";
  ProcResult r = RunPlain({"init", "--party", n.party, "--dir", n.dir});
  if (r.rc != 0) return CommandError(r);
  if (postgres) {
    ASSIGN_OR_RETURN(std::string base_url, SharedPgUrl());
    // One database per node: "<base>/postgres" -> "<base>/detente_<label>_<random>".
    std::string db = "detente_";
    for (char c : label) db += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    db += "_" + std::to_string(std::random_device()() % 1000000);
    store::Options so;
    so.url = base_url;
    ASSIGN_OR_RETURN(auto conn, store::Connect(so));
    RETURN_IF_ERROR(conn->Exec("CREATE DATABASE " + db).status());
    size_t slash = base_url.rfind('/');
    n.db_url = base_url.substr(0, slash + 1) + db;
    // config.toml: database = "<url>" (the line FormatConfig writes, replaced or appended).
    const std::string cfg_path = n.dir + "/config.toml";
    std::string cfg = ReadFile(cfg_path);
    std::regex db_line(R"((^|\n)database *=[^\n]*)");
    std::string line = "database = \"" + n.db_url + "\"";
    if (std::regex_search(cfg, db_line)) {
      cfg = std::regex_replace(cfg, db_line, "$1" + line);
    } else {
      cfg += "\n" + line + "\n";
    }
    std::ofstream(cfg_path, std::ios::binary | std::ios::trunc) << cfg;
    // The accord commands and serve apply the migrations to the new database when they
    // first open it.
  }
  order_.push_back(label);
  nodes_[label] = n;
  return Status();
}

Status Cluster::FormAccord(const std::string& name) {
  std::vector<std::string> args = {"accord", "create", "--name", name};
  std::map<std::string, bool> seen;
  for (const std::string& label : order_) {
    Node& n = nodes_[label];
    ProcResult r = Run(label, {"key", "--json"});
    if (r.rc != 0) return CommandError(r);
    ASSIGN_OR_RETURN(json::value v, ParseJson(r));
    n.key = Str(v, "key");
    if (Str(v, "party") != n.party || n.key.empty()) {
      return base::FailedPreconditionError("unexpected `key --json` output: " + r.out);
    }
    if (seen[n.party]) continue;
    seen[n.party] = true;
    args.push_back("--party");
    args.push_back(n.party + "=" + n.key);
  }
  accord_file_ = scratch_ + "/accord.json";
  args.push_back("--out");
  args.push_back(accord_file_);
  ProcResult create = RunPlain(args);
  if (create.rc != 0) return CommandError(create);
  for (const std::string& label : order_) {
    ProcResult r = Run(label, {"accord", "sign", accord_file_});
    if (r.rc != 0) return CommandError(r);
  }
  ProcResult verify = RunPlain({"accord", "verify", accord_file_});
  if (verify.rc != 0) return CommandError(verify);
  for (const std::string& label : order_) {
    ProcResult r = Run(label, {"accord", "join", accord_file_});
    if (r.rc != 0) return CommandError(r);
  }
  return Status();
}

Status Cluster::StartServe(Node& n, uint16_t port, bool with_interval) {
  if (n.pid > 0) return base::FailedPreconditionError(n.label + " is already serving");
  std::vector<std::string> args = {"detente", "serve",    "--dir",
                                   n.dir,     "--listen", "127.0.0.1:" + std::to_string(port)};
  if (with_interval) {
    args.push_back("--sync-interval-ms");
    args.push_back(
        std::to_string(n.sync_interval_ms > 0 ? n.sync_interval_ms : options_.sync_interval_ms));
  }
  args.insert(args.end(), n.serve_extra.begin(), n.serve_extra.end());
  // Only this start's "listening on" line counts: remember where the log ends now.
  std::error_code ec;
  const size_t offset = fs::exists(n.serve_log) ? fs::file_size(n.serve_log, ec) : 0;
  {
    std::ofstream(n.serve_log, std::ios::binary | std::ios::app)
        << "=== " << Join(args, " ") << "\n";
  }
  const size_t from = offset;
  n.pid = Spawn(args, "", "", n.serve_log, true);
  if (n.pid < 0) return base::UnavailableError("fork failed");
  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:([0-9]+))");
  const auto deadline = std::chrono::steady_clock::now() + options_.serve_start_timeout;
  for (;;) {
    std::string log = ReadFile(n.serve_log);
    std::string mine = log.size() > from ? log.substr(from) : "";
    std::smatch m;
    if (std::regex_search(mine, m, kListening)) {
      n.port = static_cast<uint16_t>(std::stoi(m[1].str()));
      return Status();
    }
    int status = 0;
    if (::waitpid(n.pid, &status, WNOHANG) == n.pid) {
      n.pid = -1;
      if (with_interval && mine.find("sync-interval-ms") != std::string::npos) {
        // This serve does not know the flag (yet): run without it (default interval).
        interval_flag_ok_ = false;
        return StartServe(n, port, false);
      }
      return base::UnavailableError("serve " + n.label + " exited early: " + mine);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(n.pid, SIGKILL);
      ::waitpid(n.pid, nullptr, 0);
      n.pid = -1;
      return base::DeadlineExceededError("serve " + n.label + " did not report listening: " + mine);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Status Cluster::Serve(const std::string& label, uint16_t port) {
  return StartServe(node(label), port, interval_flag_ok_);
}

Status Cluster::ServeAll() {
  for (const std::string& label : order_) {
    if (!node(label).serving()) RETURN_IF_ERROR(Serve(label));
  }
  return Status();
}

Status Cluster::Stop(const std::string& label) {
  Node& n = node(label);
  if (n.pid <= 0) return Status();
  ::kill(n.pid, SIGTERM);
  std::optional<int> status = WaitFor(n.pid, options_.stop_timeout);
  if (!status) {
    ::kill(n.pid, SIGKILL);
    ::waitpid(n.pid, nullptr, 0);
    n.pid = -1;
    return base::DeadlineExceededError("serve " + label + " ignored SIGTERM; killed");
  }
  n.pid = -1;
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    return base::InternalError("serve " + label +
                               " did not exit 0 on SIGTERM: " + ReadFile(n.serve_log));
  }
  return Status();
}

Status Cluster::Kill(const std::string& label) {
  Node& n = node(label);
  if (n.pid <= 0) return base::FailedPreconditionError(label + " is not serving");
  ::kill(n.pid, SIGKILL);
  ::waitpid(n.pid, nullptr, 0);
  n.pid = -1;
  return Status();
}

bool Cluster::Alive(const std::string& label) {
  Node& n = node(label);
  if (n.pid <= 0) return false;
  if (::waitpid(n.pid, nullptr, WNOHANG) == n.pid) {
    n.pid = -1;
    return false;
  }
  return true;
}

Status Cluster::Restart(const std::string& label) {
  Node& n = node(label);
  if (n.port != 0 && StartServe(n, n.port, interval_flag_ok_).ok()) return Status();
  return StartServe(n, 0, interval_flag_ok_);
}

Status Cluster::CloneNode(const std::string& src, const std::string& label) {
  Node& s = node(src);
  if (s.serving()) return base::FailedPreconditionError("stop " + src + " before cloning it");
  if (!s.db_url.empty()) return base::UnimplementedError("cloning a PostgreSQL node");
  if (nodes_.count(label) != 0) return base::AlreadyExistsError("node " + label);
  Node n = s;
  n.label = label;
  n.dir = scratch_ + "/" + label;
  n.serve_log = scratch_ + "/" + label + ".serve.log";
  n.pid = -1;
  n.port = 0;
  std::error_code ec;
  fs::copy(s.dir, n.dir, fs::copy_options::recursive, ec);
  if (ec) return base::UnavailableError("copy " + s.dir + ": " + ec.message());
  order_.push_back(label);
  nodes_[label] = n;
  return Status();
}

Status Cluster::PointPeer(const std::string& label, const std::string& party,
                          const std::string& url) {
  ProcResult r = Run(label, {"peer", "url", party, url});
  if (r.rc != 0) return CommandError(r);
  return Status();
}

Status Cluster::PointAllPeers() {
  std::map<std::string, std::string> first;  // party -> label
  for (const std::string& label : order_) first.emplace(node(label).party, label);
  for (const std::string& label : order_) {
    for (const auto& [party, target] : first) {
      if (party == node(label).party) continue;
      Node& t = node(target);
      if (t.port == 0) return base::FailedPreconditionError(target + " has never served");
      RETURN_IF_ERROR(PointPeer(label, party, t.url()));
    }
  }
  return Status();
}

Status Cluster::StartAccord(const std::vector<std::string>& labels) {
  for (const std::string& l : labels) RETURN_IF_ERROR(AddNode(l));
  RETURN_IF_ERROR(FormAccord());
  RETURN_IF_ERROR(ServeAll());
  return PointAllPeers();
}

void Cluster::PrintServeLogTails(size_t max_bytes) {
  for (const std::string& label : labels()) {
    if (!fs::exists(node(label).serve_log)) continue;
    std::string log = ReadFile(node(label).serve_log);
    if (log.size() > max_bytes) log = "..." + log.substr(log.size() - max_bytes);
    std::fprintf(stderr, "---- %s serve log (tail) ----\n%s\n", label.c_str(), log.c_str());
  }
}

base::Result<std::string> Cluster::Send(const std::string& label,
                                        const std::vector<std::string>& to,
                                        const std::string& body_json, const std::string& kind) {
  const std::string file = scratch_ + "/body-" + std::to_string(++files_) + ".json";
  std::ofstream(file, std::ios::binary) << body_json;
  ProcResult r = Run(label, {"send", "--to", Join(to, ","), "--kind", kind, file, "--json"});
  if (r.rc != 0) return CommandError(r);
  ASSIGN_OR_RETURN(json::value v, ParseJson(r));
  std::string id = Str(v, "id");
  if (id.empty()) return base::FailedPreconditionError("`send --json` printed no id: " + r.out);
  return id;
}

ProcResult Cluster::Sync(const std::string& label) { return Run(label, {"sync", "--json"}); }

base::Result<StatusView> Cluster::StatusOf(const std::string& label) {
  ProcResult r = Run(label, {"status", "--json"});
  if (r.rc != 0) return CommandError(r);
  StatusView s;
  ASSIGN_OR_RETURN(s.raw, ParseJson(r));
  s.party = Str(s.raw, "party");
  if (const json::value* log = Member(s.raw, "log")) {
    s.log_size = static_cast<uint64_t>(Int(*log, "size"));
  }
  if (const json::value* u = Member(s.raw, "undelivered"); u != nullptr && u->is_array()) {
    for (const json::value& e : u->as_array()) {
      s.undelivered.push_back({Str(e, "id"), Str(e, "recipient"), Str(e, "state"),
                               Str(e, "last_error"), Int(e, "attempts")});
    }
  }
  if (const json::value* a = Member(s.raw, "alerts"); a != nullptr && a->is_array()) {
    for (const json::value& e : a->as_array()) {
      s.alerts.push_back({Str(e, "kind"), Str(e, "party"), Str(e, "detail"), Str(e, "evidence")});
    }
  }
  return s;
}

base::Result<VerifyView> Cluster::Verify(const std::string& label) {
  ProcResult r = Run(label, {"verify", "--json"});
  if (r.rc != 0 && r.rc != 1) return CommandError(r);
  VerifyView v;
  v.rc = r.rc;
  v.text = r.out + r.err;
  ASSIGN_OR_RETURN(v.raw, ParseJson(r));
  const json::value* ok = Member(v.raw, "ok");
  v.ok = ok != nullptr && ok->is_bool() && ok->as_bool();
  if (const json::value* c = Member(v.raw, "counts")) v.receipts = Int(*c, "receipts");
  if (const json::value* f = Member(v.raw, "findings"); f != nullptr && f->is_array()) {
    for (const json::value& e : f->as_array())
      v.findings.push_back({Str(e, "what"), Str(e, "where")});
  }
  return v;
}

base::Result<std::vector<MessageView>> Cluster::Messages(const std::string& label) {
  ProcResult r = Run(label, {"messages", "--json"});
  if (r.rc != 0) return CommandError(r);
  const std::string self = node(label).party;
  // The contract does not fix the shape. detente prints {"messages": [{..., "direction":
  // "sent"|"received"}]}; an array, {"sent": [...], "received": [...]} or one object per line
  // are accepted too.
  std::vector<std::pair<json::value, int>> items;  // (message, direction: 1 in, 0 out, -1 ?)
  auto add_array = [&](const json::value& a, int dir) {
    if (!a.is_array()) return;
    for (const json::value& e : a.as_array()) items.emplace_back(e, dir);
  };
  json::error_code ec;
  json::value v = json::parse(r.out, ec);
  if (!ec) {
    if (v.is_array()) {
      add_array(v, -1);
    } else if (const json::value* m = Member(v, "messages")) {
      add_array(*m, -1);
    } else {
      if (const json::value* in = Member(v, "received")) add_array(*in, 1);
      if (const json::value* out_msgs = Member(v, "sent")) add_array(*out_msgs, 0);
    }
  } else {
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      json::value e = json::parse(line, ec);
      if (ec) {
        return base::InvalidArgumentError("`messages --json` output is not JSON: " +
                                          r.out.substr(0, 2000));
      }
      items.emplace_back(std::move(e), -1);
    }
  }
  std::vector<MessageView> out;
  for (const auto& [e, dir] : items) {
    MessageView m;
    m.id = Str(e, "id");
    m.from = Str(e, "from");
    m.kind = Str(e, "kind");
    if (const json::value* to = Member(e, "to")) {
      if (to->is_array()) {
        for (const json::value& t : to->as_array()) {
          if (t.is_string()) m.to.emplace_back(t.as_string());
        }
      } else if (to->is_string()) {
        m.to.emplace_back(to->as_string());
      }
    }
    if (const json::value* b = Member(e, "body")) {
      m.body = b->is_string() ? std::string(b->as_string()) : json::serialize(*b);
    }
    const std::string direction = Str(e, "direction");
    if (dir >= 0) {
      m.incoming = dir == 1;
    } else if (!direction.empty()) {
      m.incoming = direction == "received" || direction == "in" || direction == "incoming";
    } else {
      m.incoming = !m.from.empty() && m.from != self;
    }
    out.push_back(std::move(m));
  }
  return out;
}

base::Result<int> Cluster::SyncUntilDelivered(const std::vector<std::string>& labels,
                                              int max_rounds) {
  std::string pending;
  for (int round = 1; round <= max_rounds; ++round) {
    // A short pause between rounds lets the serve agents and retry backoffs move too.
    if (round > 1) std::this_thread::sleep_for(options_.round_pause);
    for (const std::string& label : labels) {
      ProcResult r = Sync(label);
      if (r.timed_out || (r.rc != 0 && r.rc != 1)) return CommandError(r);
    }
    pending.clear();
    for (const std::string& label : labels) {
      ASSIGN_OR_RETURN(StatusView s, StatusOf(label));
      for (const StatusView::Undelivered& u : s.undelivered) {
        pending += label + ": " + u.id + " -> " + u.recipient + " (" + u.state + ", " +
                   std::to_string(u.attempts) + " attempts, " + u.last_error + ")\n";
      }
    }
    if (pending.empty()) return round;
  }
  return base::DeadlineExceededError("still undelivered after " + std::to_string(max_rounds) +
                                     " sync rounds:\n" + pending.substr(0, 6000));
}

}  // namespace detente::testing
