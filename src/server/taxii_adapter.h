// server/taxii_adapter.h: mounts the taxii module's transport-neutral TAXII 2.1 Service on a
// Router: converts server::Request/Response to taxii::Request/Response, sets the
// authenticated user, and answers the Service's access questions from the user's grants
// (Principal::CanRead/CanWrite; TLP ceilings are not configured yet, so max_tlp is unset).
// Endpoints: ../../docs/taxii.md.
//
// Thread-safety: the Service is not thread-safe, so TaxiiMount serialises requests through
// one mutex (simple and correct; a Service per worker thread is the planned speed-up).
#pragma once

#include <memory>
#include <mutex>

#include "server/http.h"
#include "taxii/taxii.h"

namespace detente::server {

class TaxiiMount {
 public:
  // `repo` must outlive the mount; `options.access` is replaced by the grant check.
  TaxiiMount(taxii::Repository& repo, taxii::ServiceOptions options);

  // Adds the TAXII routes (all Access::kAuthenticated): GET /taxii2/, GET /{api_root}/,
  // GET /{api_root}/status/{id}/, GET /{api_root}/collections/, GET
  // /{api_root}/collections/{id}/, GET .../manifest/, GET+POST .../objects/, GET+DELETE
  // .../objects/{object_id}/, GET .../objects/{object_id}/versions/. The mount must outlive
  // the router. Errors: those of Router::Add.
  base::Status AddRoutes(Router& router);

  // One request through the Service (what every route calls). REQUIRES: request.principal
  // is set (the routes are authenticated).
  Response Handle(const Request& request);

 private:
  std::mutex mu_;  // guards service_ and current_
  const Principal* current_ = nullptr;
  std::unique_ptr<taxii::Service> service_;
};

}  // namespace detente::server
