// server/taxii_adapter.cc: TaxiiMount. Tested by tests/server/taxii_adapter_test.cc.
#include "server/taxii_adapter.h"

namespace detente::server {

TaxiiMount::TaxiiMount(taxii::Repository& repo, taxii::ServiceOptions options) {
  // Called by the Service inside Handle(), i.e. with mu_ held and current_ set.
  options.access = [this](std::string_view, const taxii::CollectionInfo& c) {
    taxii::CollectionAccess a;
    if (current_ != nullptr) {
      a.can_read = current_->CanRead(c.id);
      a.can_write = current_->CanWrite(c.id);
    }
    return a;
  };
  service_ = std::make_unique<taxii::Service>(repo, std::move(options));
}

base::Status TaxiiMount::AddRoutes(Router& router) {
  struct Route {
    const char* method;
    const char* pattern;
  };
  static constexpr Route kRoutes[] = {
      {"GET", "/taxii2/"},
      {"GET", "/{api_root}/"},
      {"GET", "/{api_root}/status/{id}/"},
      {"GET", "/{api_root}/collections/"},
      {"GET", "/{api_root}/collections/{id}/"},
      {"GET", "/{api_root}/collections/{id}/manifest/"},
      {"GET", "/{api_root}/collections/{id}/objects/"},
      {"POST", "/{api_root}/collections/{id}/objects/"},
      {"GET", "/{api_root}/collections/{id}/objects/{object_id}/"},
      {"DELETE", "/{api_root}/collections/{id}/objects/{object_id}/"},
      {"GET", "/{api_root}/collections/{id}/objects/{object_id}/versions/"},
  };
  for (const Route& r : kRoutes) {
    RETURN_IF_ERROR(router.Add(r.method, r.pattern, Access::kAuthenticated,
                               [this](const Request& req) { return Handle(req); }));
  }
  return base::OkStatus();
}

Response TaxiiMount::Handle(const Request& request) {
  taxii::Request t;
  t.method = request.method;
  auto path = PercentDecode(request.path);
  if (!path.ok()) return Response::Error(400, "Bad Request", path.status().message());
  t.path = std::move(path).value();
  auto query = taxii::ParseQueryString(request.query);
  if (!query.ok()) return Response::Error(400, "Bad Request", query.status().message());
  t.query = std::move(query).value();
  for (const auto& [k, v] : request.headers) t.headers.emplace(k, v);
  t.body = request.body;
  t.user = request.principal ? request.principal->name : "";

  taxii::Response tr;
  {
    std::lock_guard lock(mu_);
    current_ = request.principal ? &*request.principal : nullptr;
    tr = service_->Handle(t);
    current_ = nullptr;
  }
  Response r;
  r.status = tr.status;
  r.body = std::move(tr.body);
  for (auto& [k, v] : tr.headers) r.headers.emplace_back(k, v);
  return r;
}

}  // namespace detente::server
