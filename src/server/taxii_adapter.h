// server/taxii_adapter.h: mounts the taxii module's transport-neutral TAXII 2.1 Service on a
// Router: converts server::Request/Response to taxii::Request/Response, sets the
// authenticated user, and answers the Service's access questions from the user's grants
// (Principal::CanRead/CanWrite) and the collection's TLP policy (policy.h: MaxTlpFor).
// Endpoints: ../../docs/taxii.md. Outbound collections (alias "to-<party>" / "to-all" in API
// root kDefaultApiRoot): a POST there is first handed to the outbound hook (SetOutbound; on a
// node ShareOutbound: accord::Workflows::Share), and stored only when the hook accepts it.
//
// Thread-safety: TaxiiMount is thread-safe. A taxii::Service is not, so each request borrows
// one Service instance (with its own Repository and connection) from a small pool and returns
// it afterwards: with a Connector, up to `max_instances` requests run in parallel (instances
// are created on demand); over a caller's single Repository, requests are serialised.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"
#include "store/store.h"
#include "taxii/taxii.h"

namespace detente::peer {
class SharedExchange;
}  // namespace detente::peer

namespace detente::server {

// Status resources (TAXII 2.1 section 4.3) are kept kStatusRetention after the POST they
// describe (the spec asks for at least 24 hours) and then deleted: a POST answered 202 runs
// Repository::ExpireStatuses(now - kStatusRetention) on its own connection when the previous
// run was at least kStatusExpiryInterval earlier (times from ServiceOptions::clock). So a node
// that receives POSTs keeps its status table bounded without a background thread.
inline constexpr int64_t kStatusRetentionSeconds = 24 * 60 * 60;
inline constexpr int64_t kStatusExpiryIntervalSeconds = 60;

class TaxiiMount {
 public:
  // Opens one database connection (with the taxii and server migrations already applied).
  using Connector = std::function<base::Result<std::unique_ptr<store::Connection>>()>;

  // One Service over `repo` (which must outlive the mount); requests are serialised.
  // `options.access` is replaced by the grant and TLP policy check.
  TaxiiMount(taxii::Repository& repo, taxii::ServiceOptions options);
  // Up to `max_instances` (>= 1) Services, each on its own connection from `connect`, made
  // when a request finds none idle. All share `options.cursor_key` (a random one is chosen
  // here when it is empty, so cursors stay valid across instances).
  TaxiiMount(Connector connect, taxii::ServiceOptions options, size_t max_instances);
  ~TaxiiMount();

  // Called for a POST of objects to an outbound collection (alias "to-<target>" in API root
  // kDefaultApiRoot) by a user who may write it, with `target` ("all" or a party name) and
  // the objects of the TAXII envelope that are valid STIX (each its JSON text), before
  // anything is stored. A failure is answered as a TAXII error (Response::FromStatus: 400,
  // 403, ...) and nothing is stored; OkStatus lets the Service store the objects as usual.
  using OutboundHook =
      std::function<base::Status(std::string_view target, std::span<const std::string> objects)>;
  // REQUIRES: called before the server serves requests.
  void SetOutbound(OutboundHook hook) { outbound_ = std::move(hook); }

  // Adds the TAXII routes (all Access::kAuthenticated): GET /taxii2/, GET /{api_root}/,
  // GET /{api_root}/status/{id}/, GET /{api_root}/collections/, GET
  // /{api_root}/collections/{id}/, GET .../manifest/, GET+POST .../objects/, GET+DELETE
  // .../objects/{object_id}/, GET .../objects/{object_id}/versions/. The mount must outlive
  // the router. Errors: those of Router::Add.
  base::Status AddRoutes(Router& router);

  // One request through a Service (what every route calls). Answers 503 when no instance
  // can be made (the connection fails). REQUIRES: request.principal is set (the routes are
  // authenticated).
  Response Handle(const Request& request);

  // How many Service instances exist (for tests and metrics).
  size_t instances();

 private:
  struct Instance;
  std::unique_ptr<Instance> MakeInstance(taxii::Repository& repo);
  base::Result<Instance*> Acquire();
  void Release(Instance* instance);

  taxii::ServiceOptions options_;  // access is set per instance
  Connector connect_;              // null: the single instance over the caller's repo
  size_t max_instances_ = 1;

  // Runs the status expiry on `instance` if it is due (see kStatusExpiryIntervalSeconds).
  void MaybeExpireStatuses(Instance& instance);
  // The outbound hook's answer for `request` on `instance`, or nullopt to go on.
  std::optional<Response> Outbound(const Request& request, Instance& instance);
  OutboundHook outbound_;

  std::mutex mu_;  // guards all_, idle_ and next_expiry_us_
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<Instance>> all_;
  std::vector<Instance*> idle_;
  int64_t next_expiry_us_ = INT64_MIN;  // the earliest time the next expiry may run
};

// The outbound hook of a node: shares what is POSTed to "to-<party>" with that party and to
// "to-all" with every partner (accord::Workflows::Share under exchange->With, TLP from the
// objects' markings), then calls `notify` (may be empty; e.g. to wake the peer agent). An
// alias "to-<x>" where x is not a partner is an ordinary collection. `exchange` must outlive
// the hook.
TaxiiMount::OutboundHook ShareOutbound(peer::SharedExchange* exchange,
                                       std::function<void()> notify = {});

}  // namespace detente::server
