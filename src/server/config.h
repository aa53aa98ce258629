// server/config.h: the node directory and its config.toml. Every key, its default and its
// bounds: ../../docs/operations.md "Configuration".
//
// A node directory holds:
//   config.toml   NodeConfig (mode 0600: it may hold a database URL with a password)
//   signing.key   the party's Ed25519 signing key, PKCS#8 PEM, mode 0600
//   node.db       the SQLite database (unless `database` points at PostgreSQL)
//   cursor.key    32 random bytes signing TAXII `next` cursors, mode 0600 (policy.h)
//
// Thread-safety: all functions are safe from any thread; NodeConfig is a value.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "accord/accord.h"
#include "base/base.h"
#include "crypto/crypto.h"
#include "store/store.h"

namespace detente::server {

inline constexpr std::string_view kConfigFile = "config.toml";
inline constexpr std::string_view kSigningKeyFile = "signing.key";
inline constexpr std::string_view kDatabaseFile = "node.db";
// config.toml larger than this is rejected before parsing.
inline constexpr size_t kMaxConfigBytes = 64 * 1024;

struct NodeConfig {
  std::string party;                        // [A-Za-z0-9._-]{1,64}
  std::string listen = "127.0.0.1:8443";    // host:port, [v6]:port
  std::string database = "sqlite:node.db";  // relative sqlite paths are under the node dir
  std::string tls_cert;                     // PEM file; relative to the node dir; "" = plain
  std::string tls_key;                      // both or neither
  uint64_t max_content_length = 10 * 1024 * 1024;
  uint64_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_timeout{30'000};
  int worker_threads = 2;
  // How often the peer agent polls the database for deliveries that are due (also those other
  // processes originated), pulls, witnesses and gossips (docs/operations.md).
  std::chrono::milliseconds sync_interval{1'000};
  // The [clock] table: a fast clock for demos and drills (base::ScaledClock). Time runs
  // clock_speed times faster than real time from clock_epoch. clock_epoch is required when
  // clock_speed > 1 so that every process opening the node (and every node given the same
  // values) agrees on time.
  int64_t clock_speed = 1;  // base::ScaledClock::kMinSpeed..kMaxSpeed
  std::optional<base::Timestamp> clock_epoch;
};

// Parses config.toml text. `source` names the file in errors.
// Errors: kInvalidArgument "<source>: line L: ..." for TOML syntax, and "<source>: key K: ..."
// for a missing party, an unknown key, a wrong type or a value out of bounds (keys of the
// [clock] table are named "clock.speed" and "clock.epoch").
base::Result<NodeConfig> ParseConfig(std::string_view toml, std::string_view source);
// The TOML text for `config` (ParseConfig(FormatConfig(c)) == c).
std::string FormatConfig(const NodeConfig& config);
// Reads DIR/config.toml. Errors: kNotFound (no node at DIR), kInvalidArgument (as ParseConfig,
// or larger than kMaxConfigBytes), kPermissionDenied.
base::Result<NodeConfig> LoadConfig(const std::string& dir);

// A listen address "host:port" / "[v6]:port" (port 0-65535; 0 = any free port).
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
// Errors: kInvalidArgument naming what is wrong.
base::Result<ListenAddress> ParseListenAddress(std::string_view text);

// The store URL for `config.database` in node directory `dir`: "sqlite:PATH" and plain paths
// that are relative are taken relative to `dir`; PostgreSQL URLs are returned unchanged.
std::string ResolveDatabaseUrl(const NodeConfig& config, const std::string& dir);
// A path from the config (tls_cert, tls_key) relative to `dir` unless absolute.
std::string ResolvePath(const std::string& path, const std::string& dir);

// Checks clock_speed (kMinSpeed..kMaxSpeed) and that clock_epoch is set when the speed is not 1.
// Errors: kInvalidArgument naming clock.speed or clock.epoch.
base::Status CheckClockConfig(const NodeConfig& config);
// The clock of a node with `config`: SystemClock::Default() at speed 1 without an epoch, else a
// base::ScaledClock(epoch or now, speed). The clock lives as long as the process (one per
// distinct epoch and speed), so it may be handed to anything. Thread-safe.
const base::Clock* NodeClock(const NodeConfig& config);

// Opens the database of the node in `dir` as configured (never created: kNotFound when the
// SQLite file is missing; synchronous FULL, since a node acknowledges what it commits) with
// every NodeMigrations() applied, so a node made by an older binary gains new tables.
base::Result<std::unique_ptr<store::Connection>> OpenNodeDatabase(const std::string& dir,
                                                                  const NodeConfig& config);
// The party's signing key, DIR/signing.key. Errors: those of crypto::SigningKey::LoadFile.
base::Result<crypto::SigningKey> LoadNodeKey(const std::string& dir);
// The node's Exchange: its config, OpenNodeDatabase and LoadNodeKey, stamping time with
// NodeClock(config). Errors: theirs, and kFailedPrecondition when the node has not joined an
// accord.
base::Result<std::unique_ptr<accord::Exchange>> OpenNodeExchange(const std::string& dir);

// Every migration a node database needs (server, ledger, taxii, accord).
std::span<const store::Migration> NodeMigrations();

struct InitOptions {
  std::string party;
  std::string dir;
};
// Creates a node directory: DIR (mode 0700; an existing empty directory is used),
// config.toml, signing.key, cursor.key and node.db with NodeMigrations() applied and the
// default TAXII API root (kDefaultApiRoot, policy.h) created.
// Errors: kInvalidArgument (bad party name), kAlreadyExists (DIR holds a node or is not
// empty: nothing is overwritten), kPermissionDenied/kNotFound (cannot create DIR), store
// errors. On failure after DIR was created by this call, DIR is removed again.
base::Status InitNode(const InitOptions& options);

// Checks a party or user-style name: 1-64 characters of [A-Za-z0-9._-], not starting with
// '.' or '-'. Errors: kInvalidArgument prefixed by `what`.
base::Status CheckSimpleName(std::string_view name, std::string_view what);

}  // namespace detente::server
