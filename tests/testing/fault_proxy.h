// testing/fault_proxy.h: an HTTP/1.1-aware TCP proxy on 127.0.0.1 (port 0) that sits in front
// of one node and injects faults per request, for the multi-node integration tests
// (tests/integration/). Tested by tests/integration/fault_proxy_test.cc.
//
// Each request read from a client connection (request line, headers, then a Content-Length or
// chunked body) gets one Fault, taken from a script (in order, then kPass) or drawn from a
// seeded RNG with per-fault weights:
//   kPass             forward on a fresh upstream connection, relay the response
//   kDropBefore       close the client connection without forwarding
//   kDropAfter        forward, read the response, close the client connection without answering
//   kDuplicate        forward twice (two upstream connections, one after the other); relay the
//                     second response
//   kDelay            hold the request delay_ms, then forward
//   kReorder          hold the request until another request has been forwarded (at most
//                     reorder_max_wait_ms), then forward
//   kCorruptRequest   flip one bit of one byte of the request body (a request without a body is
//   passed
//                     and counted as kPass)
//   kCorruptResponse  flip one bit of one byte of the response body (a response without a body, or
//   no
//                     response, is passed and counted as kPass)
// When the upstream cannot be reached or does not answer, the client connection is closed
// without an answer (as if the node were down).
// Every socket has send/receive timeouts and every wait is bounded, so a proxy can never hang a
// test; the destructor stops it and joins every thread. Messages larger than kMaxMessageBytes
// close the connection.
//
// GarbageServer is a fake partner: it answers every request with garbage (kGarbage: a 200 with
// a non-JSON body; kNotHttp: bytes that are not HTTP at all) or never answers (kHang: reads and
// holds the connection until the client gives up or the server stops).
//
// Thread-safety: all public member functions are thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace detente::testing {

enum class Fault {
  kPass = 0,
  kDropBefore,
  kDropAfter,
  kDuplicate,
  kDelay,
  kReorder,
  kCorruptRequest,
  kCorruptResponse,
};
inline constexpr size_t kFaultKinds = 8;
const char* FaultName(Fault f);

// Largest request or response (head + body) the proxy relays.
inline constexpr size_t kMaxMessageBytes = 64 << 20;

class FaultProxy {
 public:
  struct Options {
    uint16_t upstream_port = 0;  // the node on 127.0.0.1
    uint64_t seed = 1;
    // Relative weights of each Fault (indexed by the enum) for the RNG; all zero except kPass
    // means a transparent proxy.
    std::array<uint32_t, kFaultKinds> weights = {1, 0, 0, 0, 0, 0, 0, 0};
    int delay_ms = 200;
    int reorder_max_wait_ms = 1000;
    int io_timeout_ms = 10'000;  // per socket read/write
  };
  // Starts listening on 127.0.0.1:0. Errors: kUnavailable (socket calls failed).
  static base::Result<std::unique_ptr<FaultProxy>> Start(const Options& options);
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;
  // Stop()s.
  ~FaultProxy();

  uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT"

  // Points the proxy at another upstream port (e.g. a restarted node); takes effect for the
  // next request.
  void SetUpstreamPort(uint16_t port);
  // Replaces the RNG weights.
  void SetWeights(const std::array<uint32_t, kFaultKinds>& weights);
  // Faults for the next requests, in order (before the RNG is consulted).
  void Script(const std::vector<Fault>& faults);
  // Closes the listener and every connection and joins the threads. Idempotent.
  void Stop();

  // How many requests got each fault (as actually applied), and requests seen in total.
  std::array<uint64_t, kFaultKinds> counts() const;
  uint64_t count(Fault f) const;
  uint64_t requests() const;
  // Requests held by kReorder that were overtaken by another forwarded request before the
  // wait ran out.
  uint64_t reordered() const;
  // "pass=3 drop-before=1 ..." for failure messages.
  std::string Summary() const;

 private:
  explicit FaultProxy(const Options& options);
  void AcceptLoop();
  void Serve(int client_fd, bool* done);
  Fault NextFault();
  // Forwards `request` upstream and reads the response into *response.
  base::Status Forward(const std::string& request, std::string* response);
  void Count(Fault f);
  void NoteForwarded();

  Options options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> upstream_port_{0};
  std::thread acceptor_;

  mutable std::mutex mu_;
  std::condition_variable forwarded_cv_;
  std::mt19937_64 rng_;                         // GUARDED_BY(mu_)
  std::array<uint32_t, kFaultKinds> weights_;   // GUARDED_BY(mu_)
  std::deque<Fault> script_;                    // GUARDED_BY(mu_)
  std::array<uint64_t, kFaultKinds> counts_{};  // GUARDED_BY(mu_)
  uint64_t requests_ = 0;                       // GUARDED_BY(mu_)
  uint64_t reordered_ = 0;                      // GUARDED_BY(mu_)
  uint64_t forwarded_ = 0;                      // GUARDED_BY(mu_)
  struct Worker {
    std::thread thread;
    bool done = false;  // GUARDED_BY(mu_): set as the thread's last act under mu_
  };
  std::list<Worker> workers_;    // GUARDED_BY(mu_); finished ones are joined by AcceptLoop
  std::vector<int> client_fds_;  // GUARDED_BY(mu_) open client connections
};

class GarbageServer {
 public:
  enum class Mode { kGarbage, kNotHttp, kHang };
  // Starts listening on 127.0.0.1:0. Errors: kUnavailable.
  static base::Result<std::unique_ptr<GarbageServer>> Start(Mode mode);
  GarbageServer(const GarbageServer&) = delete;
  GarbageServer& operator=(const GarbageServer&) = delete;
  ~GarbageServer();

  uint16_t port() const { return port_; }
  std::string url() const;
  uint64_t connections() const { return connections_.load(); }
  void Stop();

 private:
  explicit GarbageServer(Mode mode) : mode_(mode) {}
  void AcceptLoop();
  void Serve(int fd);

  Mode mode_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;  // GUARDED_BY(mu_)
  std::vector<int> fds_;              // GUARDED_BY(mu_)
};

// Reads one HTTP/1.1 message (head through the end of a Content-Length or chunked body, or to
// EOF for a response with neither) from `fd` into *out, starting with the bytes already in
// *buffer (left-over bytes after the message stay in *buffer). Sets *body_offset to where the
// body starts in *out. `is_response` enables read-to-EOF bodies and no-body status codes.
// Errors: kUnavailable (EOF before a complete message, timeout), kInvalidArgument (malformed
// head), kResourceExhausted (over kMaxMessageBytes). An EOF before any byte is kNotFound.
base::Status ReadHttpMessage(int fd, bool is_response, std::string* buffer, std::string* out,
                             size_t* body_offset);

// Socket helpers for tests (blocking; the caller closes the fd).
// A listening socket on 127.0.0.1:0; sets *port. Errors: kUnavailable.
base::Result<int> ListenLoopback(uint16_t* port);
// A connection to 127.0.0.1:port with send/receive timeouts. Errors: kUnavailable.
base::Result<int> ConnectLoopback(uint16_t port, int timeout_ms);
// Errors: kUnavailable.
base::Status SendAll(int fd, std::string_view data);

}  // namespace detente::testing
