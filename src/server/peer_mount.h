// server/peer_mount.h: PeerMount puts the peer module's Endpoint (/peer/v1/..., the
// partner-to-partner protocol: docs/formats/peer-protocol.md) on the Router, converting
// server::Request/Response to and from peer::PeerRequest/PeerResponse. The routes are
// Access::kPublic: a peer request authenticates by its Detente-* signature headers, which the
// Endpoint checks against the accord.
//
// Thread-safety: the routes may run on many server threads at once (Endpoint::Handle is
// thread-safe).
#pragma once

#include "base/base.h"
#include "peer/peer.h"
#include "server/http.h"

namespace detente::server {

class PeerMount {
 public:
  // `endpoint` must outlive the router the routes are added to.
  explicit PeerMount(const peer::Endpoint* endpoint) : endpoint_(endpoint) {}

  // Adds POST /peer/v1/inbox, GET /peer/v1/messages, GET /peer/v1/checkpoint,
  // GET /peer/v1/consistency, POST /peer/v1/cosignature and GET /peer/v1/checkpoints.
  // Errors: those of Router::Add (the routes already exist).
  base::Status AddRoutes(Router& router) const;

  // The conversion used by the routes (exposed for tests).
  Response Handle(const Request& request) const;

 private:
  const peer::Endpoint* endpoint_;
};

}  // namespace detente::server
