// server/server.h: the public header of the server module: HTTP(S) serving (Boost.Beast,
// confined to http_server.cc) behind a small transport-neutral Request/Response/Router, users
// and authentication (HTTP Basic with Argon2id hashes, bearer tokens), per-collection grants,
// Prometheus metrics, and the node directory (config.toml, signing key, database).
// The HTTP API: ../../docs/api.md. Running a node, config keys: ../../docs/operations.md.
//
//   http.h     Request, Response, Router, Dispatch (no Beast)
//   users.h    UserStore (users, password hashes, tokens, grants), the module's migrations
//   config.h   NodeConfig (TOML), node directory layout, InitNode
//   policy.h   TLP policies per collection, the default API root, the cursor key file
//   metrics.h  Metrics (prometheus-cpp registry), /healthz and /metrics routes
//   http_server.h  Server: the Beast listener, sessions, TLS, timeouts, graceful shutdown
//   taxii_adapter.h  TaxiiMount: the taxii module's Service on the Router, grants as access
//   peer_mount.h  PeerMount: the peer module's /peer/v1/ Endpoint on the Router
//   static_mount.h  StaticMount: the dashboard's built files (web/dist) at /
//   api_mount.h  ApiMount: the JSON API (/api/v1/: requests, violations, scorecard, ...)
#pragma once

#include "server/api_mount.h"
#include "server/config.h"
#include "server/http.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/peer_mount.h"
#include "server/policy.h"
#include "server/static_mount.h"
#include "server/taxii_adapter.h"
#include "server/users.h"
