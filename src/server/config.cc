// server/config.cc: config.toml (toml++, whose exceptions are caught here), listen addresses,
// and `detente init`'s node directory. Tested by tests/server/config_test.cc.
#include "server/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

#include "accord/accord.h"
#include "crypto/crypto.h"
#include "ledger/ledger.h"
#include "server/policy.h"
#include "server/users.h"
#include "taxii/taxii.h"

namespace detente::server {
namespace {

namespace fs = std::filesystem;

struct IntKey {
  std::string_view name;
  int64_t min;
  int64_t max;
};

constexpr int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;

base::Status KeyError(std::string_view source, std::string_view key, std::string_view what) {
  return base::InvalidArgumentError(std::string(source) + ": key " + std::string(key) + ": " +
                                    std::string(what));
}

// Quotes `s` as a TOML basic string.
std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

base::Status CheckSimpleName(std::string_view name, std::string_view what) {
  if (name.empty() || name.size() > 64) {
    return base::InvalidArgumentError(std::string(what) + " must be 1-64 characters");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return base::InvalidArgumentError(std::string(what) + ": character at offset " +
                                        std::to_string(i) + " is not one of [A-Za-z0-9._-]");
    }
  }
  if (name.front() == '.' || name.front() == '-') {
    return base::InvalidArgumentError(std::string(what) + " must not start with '.' or '-'");
  }
  return base::OkStatus();
}

base::Result<NodeConfig> ParseConfig(std::string_view text, std::string_view source) {
  if (text.size() > kMaxConfigBytes) {
    return base::InvalidArgumentError(std::string(source) + ": larger than " +
                                      std::to_string(kMaxConfigBytes) + " bytes");
  }
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return base::InvalidArgumentError(std::string(source) + ": line " +
                                      std::to_string(e.source().begin.line) + ": " +
                                      std::string(e.description()));
  }
  NodeConfig c;
  static const std::set<std::string_view> kStringKeys = {"party", "listen", "database", "tls_cert",
                                                         "tls_key"};
  static const IntKey kIntKeys[] = {
      {"max_content_length", 1, int64_t{1} << 40},  {"max_header_bytes", 1024, 1024 * 1024},
      {"read_header_timeout_ms", 1, kMaxTimeoutMs}, {"body_timeout_ms", 1, kMaxTimeoutMs},
      {"idle_timeout_ms", 1, kMaxTimeoutMs},        {"write_timeout_ms", 1, kMaxTimeoutMs},
      {"shutdown_timeout_ms", 0, kMaxTimeoutMs},    {"worker_threads", 1, 256},
      {"sync_interval_ms", 10, kMaxTimeoutMs},
  };
  for (const auto& [k, node] : table) {
    std::string_view key = k.str();
    if (key == "clock") {
      const auto* clock = node.as_table();
      if (clock == nullptr) return KeyError(source, key, "must be a table ([clock])");
      for (const auto& [ck, cnode] : *clock) {
        std::string name = "clock." + std::string(ck.str());
        if (ck.str() == "speed") {
          const auto* i = cnode.as_integer();
          if (i == nullptr) return KeyError(source, name, "must be an integer");
          c.clock_speed = i->get();
        } else if (ck.str() == "epoch") {
          const auto* s = cnode.as_string();
          if (s == nullptr) {
            return KeyError(source, name, "must be a string (an RFC 3339 date-time in quotes)");
          }
          auto t = base::Timestamp::Parse(s->get());
          if (!t.ok()) return KeyError(source, name, t.status().message());
          c.clock_epoch = *t;
        } else {
          return KeyError(source, name, "unknown key (expected speed or epoch)");
        }
      }
      continue;
    }
    if (kStringKeys.count(key) != 0) {
      const auto* s = node.as_string();
      if (s == nullptr) return KeyError(source, key, "must be a string");
      const std::string& v = s->get();
      if (key == "party") c.party = v;
      if (key == "listen") c.listen = v;
      if (key == "database") c.database = v;
      if (key == "tls_cert") c.tls_cert = v;
      if (key == "tls_key") c.tls_key = v;
      continue;
    }
    const IntKey* ik = nullptr;
    for (const IntKey& cand : kIntKeys) {
      if (cand.name == key) ik = &cand;
    }
    if (ik == nullptr) return KeyError(source, key, "unknown key");
    const auto* i = node.as_integer();
    if (i == nullptr) return KeyError(source, key, "must be an integer");
    int64_t v = i->get();
    if (v < ik->min || v > ik->max) {
      return KeyError(source, key,
                      std::to_string(v) + " out of range (" + std::to_string(ik->min) + "-" +
                          std::to_string(ik->max) + ")");
    }
    if (key == "max_content_length") c.max_content_length = static_cast<uint64_t>(v);
    if (key == "max_header_bytes") c.max_header_bytes = static_cast<uint64_t>(v);
    if (key == "read_header_timeout_ms") c.read_header_timeout = std::chrono::milliseconds(v);
    if (key == "body_timeout_ms") c.body_timeout = std::chrono::milliseconds(v);
    if (key == "idle_timeout_ms") c.idle_timeout = std::chrono::milliseconds(v);
    if (key == "write_timeout_ms") c.write_timeout = std::chrono::milliseconds(v);
    if (key == "shutdown_timeout_ms") c.shutdown_timeout = std::chrono::milliseconds(v);
    if (key == "worker_threads") c.worker_threads = static_cast<int>(v);
    if (key == "sync_interval_ms") c.sync_interval = std::chrono::milliseconds(v);
  }
  if (c.party.empty()) return KeyError(source, "party", "missing");
  if (base::Status s = CheckSimpleName(c.party, "party"); !s.ok()) {
    return KeyError(source, "party", s.message());
  }
  if (auto l = ParseListenAddress(c.listen); !l.ok()) {
    return KeyError(source, "listen", l.status().message());
  }
  if (c.database.empty()) return KeyError(source, "database", "empty");
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return KeyError(source, c.tls_cert.empty() ? "tls_cert" : "tls_key",
                    "tls_cert and tls_key must be given together");
  }
  if (base::Status s = CheckClockConfig(c); !s.ok()) {
    return base::InvalidArgumentError(std::string(source) + ": " + std::string(s.message()));
  }
  return c;
}

base::Status CheckClockConfig(const NodeConfig& c) {
  if (c.clock_speed < base::ScaledClock::kMinSpeed ||
      c.clock_speed > base::ScaledClock::kMaxSpeed) {
    return base::InvalidArgumentError("key clock.speed: " + std::to_string(c.clock_speed) +
                                      " out of range (" +
                                      std::to_string(base::ScaledClock::kMinSpeed) + "-" +
                                      std::to_string(base::ScaledClock::kMaxSpeed) + ")");
  }
  // The epoch must be a real date near now: the scaled clock counts nanoseconds from it in 64
  // bits, which cannot span more than ~292 years.
  if (c.clock_epoch.has_value() &&
      (c.clock_epoch->unix_seconds() < 0 || c.clock_epoch->unix_seconds() > 7'258'118'400)) {
    return base::InvalidArgumentError(
        "key clock.epoch: " + c.clock_epoch->Format() +
        " out of range (1970-01-01T00:00:00Z to 2200-01-01T00:00:00Z)");
  }
  if (c.clock_speed != 1 && !c.clock_epoch.has_value()) {
    return base::InvalidArgumentError(
        "key clock.epoch: missing; a clock speed other than 1 needs a fixed epoch, an RFC 3339 "
        "date-time shared by every node of the drill ([clock] epoch in config.toml, or serve "
        "--clock-epoch)");
  }
  return base::OkStatus();
}

const base::Clock* NodeClock(const NodeConfig& config) {
  if (config.clock_speed <= 1 && !config.clock_epoch.has_value()) {
    return &base::SystemClock::Default();
  }
  // Clocks are kept for the life of the process: callers hand them to exchanges, endpoints
  // and agents without tracking lifetimes. There is one per distinct (epoch, speed).
  static std::mutex mu;
  static auto* clocks =
      new std::map<std::pair<int64_t, int64_t>, std::unique_ptr<base::ScaledClock>>();
  const base::Timestamp epoch = config.clock_epoch.value_or(base::SystemClock::Default().Now());
  const int64_t speed = config.clock_speed < 1 ? 1 : config.clock_speed;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = (*clocks)[{epoch.unix_millis(), speed}];
  if (slot == nullptr) {
    slot = std::make_unique<base::ScaledClock>(base::Timestamp::FromUnixMillis(epoch.unix_millis()),
                                               speed);
  }
  return slot.get();
}

std::string FormatConfig(const NodeConfig& c) {
  std::ostringstream o;
  o << "# detente node configuration (docs/operations.md lists every key).\n";
  o << "party = " << TomlString(c.party) << "\n";
  o << "listen = " << TomlString(c.listen) << "\n";
  o << "database = " << TomlString(c.database) << "\n";
  if (!c.tls_cert.empty()) o << "tls_cert = " << TomlString(c.tls_cert) << "\n";
  if (!c.tls_key.empty()) o << "tls_key = " << TomlString(c.tls_key) << "\n";
  o << "max_content_length = " << c.max_content_length << "\n";
  o << "max_header_bytes = " << c.max_header_bytes << "\n";
  o << "read_header_timeout_ms = " << c.read_header_timeout.count() << "\n";
  o << "body_timeout_ms = " << c.body_timeout.count() << "\n";
  o << "idle_timeout_ms = " << c.idle_timeout.count() << "\n";
  o << "write_timeout_ms = " << c.write_timeout.count() << "\n";
  o << "shutdown_timeout_ms = " << c.shutdown_timeout.count() << "\n";
  o << "worker_threads = " << c.worker_threads << "\n";
  o << "sync_interval_ms = " << c.sync_interval.count() << "\n";
  if (c.clock_speed != 1 || c.clock_epoch.has_value()) {
    o << "\n# Fast clock for demos and drills only (docs/operations.md).\n[clock]\n";
    o << "speed = " << c.clock_speed << "\n";
    if (c.clock_epoch.has_value()) o << "epoch = " << TomlString(c.clock_epoch->Format()) << "\n";
  }
  return o.str();
}

base::Result<NodeConfig> LoadConfig(const std::string& dir) {
  std::string path = (fs::path(dir) / kConfigFile).string();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return base::NotFoundError(path + ": no such file (no node at " + dir +
                                 "; run detente init)");
    if (errno == EACCES) return base::PermissionDeniedError(path + ": permission denied");
    return base::UnavailableError(path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return base::InvalidArgumentError(path + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxConfigBytes) {
    return base::InvalidArgumentError(path + ": larger than " + std::to_string(kMaxConfigBytes) +
                                      " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::PermissionDeniedError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

base::Result<ListenAddress> ParseListenAddress(std::string_view text) {
  ListenAddress a;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return base::InvalidArgumentError("listen address \"" + std::string(text) +
                                        "\": expected [ipv6]:port");
    }
    a.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return base::InvalidArgumentError("listen address \"" + std::string(text) +
                                        "\": expected host:port");
    }
    a.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (a.host.empty() || a.host.size() > 253) {
    return base::InvalidArgumentError("listen address \"" + std::string(text) +
                                      "\": empty or over-long host");
  }
  if (port.empty() || port.size() > 5) {
    return base::InvalidArgumentError("listen address \"" + std::string(text) + "\": bad port");
  }
  uint32_t p = 0;
  for (char ch : port) {
    if (ch < '0' || ch > '9') {
      return base::InvalidArgumentError("listen address \"" + std::string(text) +
                                        "\": port is not a number");
    }
    p = p * 10 + static_cast<uint32_t>(ch - '0');
  }
  if (p > 65535) {
    return base::InvalidArgumentError("listen address \"" + std::string(text) +
                                      "\": port above 65535");
  }
  a.port = static_cast<uint16_t>(p);
  return a;
}

std::string ResolvePath(const std::string& path, const std::string& dir) {
  if (path.empty() || path.front() == '/') return path;
  return (fs::path(dir) / path).string();
}

std::string ResolveDatabaseUrl(const NodeConfig& config, const std::string& dir) {
  const std::string& db = config.database;
  if (db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0 || db == ":memory:") {
    return db;
  }
  if (db.rfind("sqlite:", 0) == 0) return "sqlite:" + ResolvePath(db.substr(7), dir);
  return ResolvePath(db, dir);
}

std::span<const store::Migration> NodeMigrations() {
  static const std::vector<store::Migration> all = [] {
    std::vector<store::Migration> v;
    for (const auto& m : Migrations()) v.push_back(m);
    for (const auto& m : ledger::Migrations()) v.push_back(m);
    for (const auto& m : taxii::Migrations()) v.push_back(m);
    for (const auto& m : accord::Migrations()) v.push_back(m);
    return v;
  }();
  return all;
}

base::Status InitNode(const InitOptions& options) {
  RETURN_IF_ERROR(CheckSimpleName(options.party, "party"));
  if (options.dir.empty()) return base::InvalidArgumentError("node directory is empty");
  const fs::path dir(options.dir);
  bool created = false;
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return base::AlreadyExistsError(options.dir + ": exists and is not a directory");
    }
    if (fs::exists(dir / kConfigFile, ec)) {
      return base::AlreadyExistsError(options.dir + ": already holds a node (" +
                                      std::string(kConfigFile) + "); refusing to overwrite it");
    }
    if (!fs::is_empty(dir, ec)) {
      return base::AlreadyExistsError(options.dir +
                                      ": directory is not empty; refusing to initialise a node "
                                      "in it");
    }
  } else {
    if (::mkdir(options.dir.c_str(), 0700) != 0) {
      int err = errno;
      if (err == ENOENT) {
        return base::NotFoundError(options.dir + ": parent directory does not exist");
      }
      if (err == EACCES) return base::PermissionDeniedError(options.dir + ": permission denied");
      return base::UnavailableError(options.dir + ": " + std::strerror(err));
    }
    created = true;
  }
  auto fail = [&](base::Status s) {
    if (created) {
      fs::remove_all(dir, ec);
    } else {
      fs::remove(dir / kSigningKeyFile, ec);
      fs::remove(dir / kCursorKeyFile, ec);
      fs::remove(dir / kDatabaseFile, ec);
      fs::remove(dir / (std::string(kDatabaseFile) + "-wal"), ec);
      fs::remove(dir / (std::string(kDatabaseFile) + "-shm"), ec);
      fs::remove(dir / kConfigFile, ec);
    }
    return s;
  };

  crypto::SigningKey key = crypto::SigningKey::Generate();
  if (base::Status s = key.SaveFile((dir / kSigningKeyFile).string()); !s.ok()) return fail(s);

  NodeConfig config;
  config.party = options.party;
  config.database = "sqlite:" + std::string(kDatabaseFile);
  {
    store::Options so;
    so.url = ResolveDatabaseUrl(config, options.dir);
    so.synchronous = store::Synchronous::kFull;
    auto conn = store::Connect(so);
    if (!conn.ok()) return fail(conn.status());
    if (base::Status s = store::Migrate(**conn, NodeMigrations()); !s.ok()) return fail(s);
    taxii::Repository repo(**conn);
    if (base::Status s = EnsureDefaultApiRoot(repo, options.party); !s.ok()) return fail(s);
  }
  if (auto cursor_key = LoadOrCreateCursorKey(options.dir); !cursor_key.ok()) {
    return fail(cursor_key.status());
  }

  // The config goes last: its presence is what marks a complete node.
  std::string tmp = (dir / (std::string(kConfigFile) + ".tmp")).string();
  {
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return fail(base::UnavailableError(tmp + ": " + std::strerror(errno)));
    std::string text = FormatConfig(config);
    size_t off = 0;
    while (off < text.size()) {
      ssize_t n = ::write(fd, text.data() + off, text.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return fail(base::UnavailableError(tmp + ": write failed: " + std::strerror(errno)));
      }
      off += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      return fail(base::UnavailableError(tmp + ": fsync failed"));
    }
  }
  if (::rename(tmp.c_str(), (dir / kConfigFile).c_str()) != 0) {
    return fail(base::UnavailableError(tmp + ": rename failed: " + std::strerror(errno)));
  }
  return base::OkStatus();
}

base::Result<std::unique_ptr<store::Connection>> OpenNodeDatabase(const std::string& dir,
                                                                  const NodeConfig& config) {
  store::Options so;
  so.url = ResolveDatabaseUrl(config, dir);
  so.create = false;
  so.synchronous = store::Synchronous::kFull;
  ASSIGN_OR_RETURN(auto conn, store::Connect(so));
  RETURN_IF_ERROR(store::Migrate(*conn, NodeMigrations()));
  return conn;
}

base::Result<crypto::SigningKey> LoadNodeKey(const std::string& dir) {
  return crypto::SigningKey::LoadFile(dir + "/" + std::string(kSigningKeyFile));
}

base::Result<std::unique_ptr<accord::Exchange>> OpenNodeExchange(const std::string& dir) {
  ASSIGN_OR_RETURN(NodeConfig config, LoadConfig(dir));
  ASSIGN_OR_RETURN(auto conn, OpenNodeDatabase(dir, config));
  ASSIGN_OR_RETURN(crypto::SigningKey key, LoadNodeKey(dir));
  accord::ExchangeOptions options;
  options.clock = NodeClock(config);
  return accord::Exchange::Open(std::move(conn), config.party, std::move(key), options);
}

}  // namespace detente::server
