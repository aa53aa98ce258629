// server/metrics.h: the server's Prometheus metrics (prometheus-cpp core registry, served as
// text by our own /metrics route) and the built-in /healthz and /metrics routes.
//
// Metrics (docs/api.md lists them):
//   detente_http_requests_total{route,method,status}       counter
//   detente_http_request_duration_seconds{route}           histogram
//   detente_http_requests_in_flight                        gauge
//   detente_http_connections_total                         counter
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "server/http.h"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
template <typename T>
class Family;
class Histogram;
}  // namespace prometheus

namespace detente::server {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Records one finished request. `route` is the matched pattern (bounded cardinality).
  void ObserveRequest(std::string_view route, std::string_view method, int status,
                      double seconds);
  void RequestStarted();
  void RequestFinished();
  void ConnectionAccepted();

  // The registry in the Prometheus text exposition format 0.0.4.
  std::string Serialize() const;
  // For other modules that want to add their own metrics to /metrics.
  prometheus::Registry& registry();

  // Set once the listener accepts connections; /healthz answers 503 before.
  void SetServing(bool serving) { serving_.store(serving); }
  bool serving() const { return serving_.load(); }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* durations_;
  prometheus::Gauge* in_flight_;
  prometheus::Counter* connections_;
  std::atomic<bool> serving_{false};
};

// Adds GET /healthz ({"status":"ok"} with 200 while serving, 503 otherwise) and GET /metrics
// (text/plain; version=0.0.4), both public. `metrics` must outlive the router.
// Errors: those of Router::Add (the routes already exist).
base::Status AddBuiltinRoutes(Router& router, Metrics* metrics);

}  // namespace detente::server
