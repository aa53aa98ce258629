// server/peer_mount.cc: the peer routes on the Router (see peer_mount.h). Tested by
// tests/peer/nodes_test.cc, which serves two and three nodes over real HTTP with it.
#include "server/peer_mount.h"

namespace detente::server {

Response PeerMount::Handle(const Request& request) const {
  peer::PeerRequest pr;
  pr.method = request.method;
  pr.target = request.target;
  pr.headers = request.headers;
  pr.body = request.body;
  peer::PeerResponse r = endpoint_->Handle(pr);
  Response out;
  out.status = r.status;
  out.body = std::move(r.body);
  if (!r.content_type.empty()) out.SetHeader("Content-Type", r.content_type);
  return out;
}

base::Status PeerMount::AddRoutes(Router& router) const {
  struct Route {
    const char* method;
    const char* path;
  };
  static constexpr Route kRoutes[] = {
      {"POST", "/peer/v1/inbox"},       {"GET", "/peer/v1/messages"},
      {"GET", "/peer/v1/checkpoint"},   {"GET", "/peer/v1/consistency"},
      {"POST", "/peer/v1/cosignature"}, {"GET", "/peer/v1/checkpoints"},
  };
  for (const Route& r : kRoutes) {
    RETURN_IF_ERROR(router.Add(r.method, r.path, Access::kPublic,
                               [this](const Request& req) { return Handle(req); }));
  }
  return base::OkStatus();
}

}  // namespace detente::server
