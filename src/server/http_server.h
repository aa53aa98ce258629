// server/http_server.h: Server, the HTTP/1.1 (and HTTPS) listener. Boost.Beast/Asio live only
// in http_server.cc; this header exposes none of it.
//
// What it does per connection: optional TLS handshake (TLS 1.2 minimum, 1.3 preferred, no
// 0-RTT), then requests read with a header size limit (431) and a body limit
// (max_content_length: 413 as soon as the Content-Length or a chunk exceeds it), each phase
// under its own timeout (read_header_timeout for the first request, idle_timeout for the next
// request on a kept-alive connection, body_timeout for the body, write_timeout for the
// response); a timed-out connection is closed. Each complete request goes through Dispatch
// (routing, auth, last-resort catch), is counted in Metrics and written as one JSON access
// log line: {"time","remote","method","path","status","bytes","duration_ms","user"}.
//
// Shutdown: BeginShutdown() (also run on SIGINT/SIGTERM after HandleSignals()) closes the
// listener, closes idle connections, lets in-flight requests finish and answers them with
// "Connection: close"; Wait() returns when every connection is gone or shutdown_timeout has
// passed (then remaining connections are dropped).
//
// Thread-safety: Start/port/address/BeginShutdown are thread-safe; Wait/Shutdown may be called
// from one thread at a time (not from a handler).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/base.h"
#include "server/http.h"
#include "server/metrics.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace detente::server {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address or a resolvable name
  uint16_t port = 0;               // 0: any free port (see Server::port())
  int threads = 2;                 // worker threads running the handlers
  uint64_t max_content_length = 10 * 1024 * 1024;
  uint32_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_timeout{30'000};
  // PEM files; both or neither. With them the server speaks only HTTPS.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Where access log lines go (pattern should be "%v"); null: no access log.
  std::shared_ptr<spdlog::logger> access_log;
};

class Server {
 public:
  // Binds, listens and starts the worker threads; serving when this returns.
  // `router`, `auth` (may be null when no route needs it) and `metrics` must outlive the
  // Server. REQUIRES: metrics != nullptr.
  // Errors: kInvalidArgument (bad options: threads < 1, one TLS file without the other,
  // unresolvable host), kUnavailable (cannot bind: address in use, permission), kNotFound /
  // kInvalidArgument (TLS files missing or not a matching PEM certificate and key).
  static base::Result<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                     const Router& router, Authenticator* auth,
                                                     Metrics* metrics);
  // Shuts down (as Shutdown()) if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the chosen one when options.port was 0).
  uint16_t port() const;
  // "http://127.0.0.1:PORT" or "https://..." ([v6] in brackets).
  std::string url() const;

  // Stops SIGINT and SIGTERM from killing the process: they call BeginShutdown() instead.
  // Returns once the handlers are installed. REQUIRES: called after Start(), not from a
  // server thread.
  void HandleSignals();
  // Starts a graceful shutdown and returns at once. Idempotent.
  void BeginShutdown();
  // Blocks until the server has stopped (after BeginShutdown, or never without one).
  void Wait();
  // BeginShutdown() + Wait().
  void Shutdown();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace detente::server
