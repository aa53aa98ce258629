// server/metrics.cc: Metrics over prometheus-cpp and the /healthz and /metrics routes.
// Tested by tests/server/http_server_test.cc (MetricsTextParses) and router_test.cc.
#include "server/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace detente::server {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("detente_http_requests_total")
                   .Help("HTTP requests answered, by route pattern, method and status")
                   .Register(*registry_);
  durations_ = &prometheus::BuildHistogram()
                    .Name("detente_http_request_duration_seconds")
                    .Help("Time from a complete request to its response being written")
                    .Register(*registry_);
  in_flight_ = &prometheus::BuildGauge()
                    .Name("detente_http_requests_in_flight")
                    .Help("Requests being handled now")
                    .Register(*registry_)
                    .Add({});
  connections_ = &prometheus::BuildCounter()
                      .Name("detente_http_connections_total")
                      .Help("Connections accepted")
                      .Register(*registry_)
                      .Add({});
}

Metrics::~Metrics() = default;

void Metrics::ObserveRequest(std::string_view route, std::string_view method, int status,
                             double seconds) {
  // Methods are client-chosen: keep the label set bounded.
  static constexpr std::string_view kKnown[] = {"GET", "HEAD", "POST", "PUT", "DELETE",
                                                "PATCH", "OPTIONS"};
  std::string m = "OTHER";
  for (std::string_view k : kKnown) {
    if (k == method) m = std::string(k);
  }
  requests_->Add({{"route", std::string(route)}, {"method", m}, {"status", std::to_string(status)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  durations_->Add({{"route", std::string(route)}}, kBuckets).Observe(seconds);
}

void Metrics::RequestStarted() { in_flight_->Increment(); }
void Metrics::RequestFinished() { in_flight_->Decrement(); }
void Metrics::ConnectionAccepted() { connections_->Increment(); }

std::string Metrics::Serialize() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

prometheus::Registry& Metrics::registry() { return *registry_; }

base::Status AddBuiltinRoutes(Router& router, Metrics* metrics) {
  RETURN_IF_ERROR(router.Add("GET", "/healthz", Access::kPublic, [metrics](const Request&) {
    if (!metrics->serving()) {
      return Response::Error(503, "Service Unavailable", "not serving yet");
    }
    return Response::Json(200, "{\"status\":\"ok\"}");
  }));
  return router.Add("GET", "/metrics", Access::kPublic, [metrics](const Request&) {
    Response r;
    r.status = 200;
    r.body = metrics->Serialize();
    r.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return r;
  });
}

}  // namespace detente::server
