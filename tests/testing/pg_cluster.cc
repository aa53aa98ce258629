// testing/pg_cluster.cc: see pg_cluster.h. Used by tests/store/ (store_pg_test) and
// bench/store_bench.cc.
#include "testing/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

namespace detente::testing {
namespace {

constexpr const char* kDefaultBindir = "/usr/lib/postgresql/15/bin";
constexpr int kStartAttempts = 5;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// The last `max` bytes of a file (a server log), for error messages.
std::string Tail(const std::string& path, size_t max = 2000) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  return s.size() > max ? "..." + s.substr(s.size() - max) : s;
}

// A port on 127.0.0.1 that was free a moment ago (bind port 0, read it back, close).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// Runs argv (argv[0] an absolute path), as uid/gid when uid >= 0, with stdout and stderr
// appended to `log`; returns the exit status (or an error if it could not run).
base::Result<int> Run(const std::vector<std::string>& argv, int uid, int gid,
                      const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return base::UnavailableError(Errno("fork"));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    if (uid >= 0) {
      gid_t g = static_cast<gid_t>(gid);
      if (::setgroups(1, &g) != 0 || ::setgid(g) != 0 || ::setuid(static_cast<uid_t>(uid)) != 0) {
        ::_exit(126);
      }
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return base::UnavailableError(Errno("waitpid"));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

base::Result<std::unique_ptr<PgCluster>> PgCluster::Start(Options options) {
  std::unique_ptr<PgCluster> c(new PgCluster());
  RETURN_IF_ERROR(c->Init());
  RETURN_IF_ERROR(c->StartServer(options.durable));
  return c;
}

base::Status PgCluster::Init() {
  const char* env_bindir = std::getenv("DETENTE_PG_BINDIR");
  bindir_ = env_bindir != nullptr && *env_bindir != '\0' ? env_bindir : kDefaultBindir;
  for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
    std::string path = bindir_ + "/" + tool;
    if (::access(path.c_str(), X_OK) != 0) {
      return base::FailedPreconditionError(
          "PostgreSQL 15 server binary " + path +
          " not found: run `make setup` (installs postgresql-15), or set DETENTE_TEST_PG_URL "
          "to use an existing server");
    }
  }
  if (::geteuid() == 0) {
    // initdb and postgres refuse to run as root.
    struct passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      return base::FailedPreconditionError(
          "running as root, and there is no `postgres` user to run the PostgreSQL server as "
          "(it comes with the postgresql-15 package: run `make setup`)");
    }
    run_uid_ = static_cast<int>(pw->pw_uid);
    run_gid_ = static_cast<int>(pw->pw_gid);
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/detente_pg.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return base::UnavailableError(Errno("mkdtemp " + tmpl));
  dir_ = tmpl;
  for (const char* sub : {"/data", "/sock"}) {
    if (::mkdir((dir_ + sub).c_str(), 0700) != 0) {
      return base::UnavailableError(Errno("mkdir " + dir_ + sub));
    }
  }
  if (run_uid_ >= 0) {
    // The server user must reach its directories: the temp dir is traversable, and owned by it.
    for (const char* sub : {"", "/data", "/sock"}) {
      if (::chown((dir_ + sub).c_str(), static_cast<uid_t>(run_uid_),
                  static_cast<gid_t>(run_gid_)) != 0) {
        return base::UnavailableError(Errno("chown " + dir_ + sub));
      }
    }
    ::chmod(dir_.c_str(), 0755);
  }
  const std::string log = dir_ + "/initdb.log";
  ASSIGN_OR_RETURN(
      int rc, Run({bindir_ + "/initdb", "-D", dir_ + "/data", "-U", "postgres", "-A", "trust", "-E",
                   "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                  run_uid_, run_gid_, log));
  if (rc != 0) {
    return base::UnavailableError("initdb failed (exit " + std::to_string(rc) + "): " + Tail(log));
  }
  return base::OkStatus();
}

base::Status PgCluster::StartServer(bool durable) {
  const std::string log = dir_ + "/server.log";
  std::string last_error;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = FreePort();
    if (port_ == 0) return base::UnavailableError(Errno("finding a free port"));
    // pg_ctl passes -o through a shell: the paths are ours (no spaces or quotes).
    std::string opts = "-p " + std::to_string(port_) + " -k " + dir_ +
                       "/sock -c listen_addresses=127.0.0.1 -c max_connections=40 "
                       "-c shared_buffers=128MB -c max_wal_size=1GB";
    if (!durable) opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    ASSIGN_OR_RETURN(int rc, Run({bindir_ + "/pg_ctl", "-D", dir_ + "/data", "-l", log, "-w", "-t",
                                  "60", "-o", opts, "start"},
                                 run_uid_, run_gid_, dir_ + "/pg_ctl.log"));
    if (rc == 0) {
      running_ = true;
      return base::OkStatus();
    }
    last_error = Tail(log) + Tail(dir_ + "/pg_ctl.log");
    if (last_error.find("already in use") == std::string::npos) break;  // not a port collision
  }
  return base::UnavailableError("PostgreSQL server did not start in " + dir_ + ": " + last_error);
}

PgCluster::~PgCluster() {
  if (running_) {
    Run({bindir_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "-t", "60", "stop"},
        run_uid_, run_gid_, dir_ + "/pg_ctl.log")
        .status()
        .IgnoreError();
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PgCluster::url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

namespace {

struct Shared {
  std::mutex mu;
  bool tried = false;
  std::optional<base::Result<std::string>> url;
  std::unique_ptr<PgCluster> cluster;
};

Shared& GetShared() {
  static Shared* shared = [] {
    auto* s = new Shared();
    // If no PgEnvironment is registered, stop the cluster when the program exits.
    std::atexit([] { StopSharedPgCluster(); });
    return s;
  }();
  return *shared;
}

}  // namespace

base::Result<std::string> SharedPgUrl() {
  Shared& s = GetShared();
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.tried) {
    s.tried = true;
    const char* env = std::getenv("DETENTE_TEST_PG_URL");
    if (env != nullptr && *env != '\0') {
      s.url = std::string(env);
    } else {
      auto c = PgCluster::Start();
      if (c.ok()) {
        s.cluster = std::move(c).value();
        s.url = s.cluster->url();
      } else {
        s.url = c.status();
      }
    }
  }
  return *s.url;
}

void StopSharedPgCluster() {
  Shared& s = GetShared();
  std::lock_guard<std::mutex> lock(s.mu);
  s.cluster.reset();
}

}  // namespace detente::testing
