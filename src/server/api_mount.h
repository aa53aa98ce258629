// server/api_mount.h: ApiMount puts the node's JSON API (/api/v1/..., what the dashboard and
// scripts use: requests, violations, shares, sightings, the scorecard, verification) on the
// Router, over the node's peer::SharedExchange and accord::Workflows. Endpoints, bodies and
// errors: ../../docs/api.md "Accord API".
//
// Access: POST /api/v1/login is public (it checks a user name and password and issues a bearer
// token); every other route needs a node user (Basic or Bearer; 401 otherwise). Reading needs
// any valid user; acting (every other POST) needs write on the pseudo-collection
// kAccordGrant ("accord"), granted with `detente user grant NAME accord --write` (403
// otherwise). Errors are {"title","description","http_status"} (Response::Error) with 4xx
// codes for anything a client can cause; request bodies larger than kMaxApiBodyBytes are 413.
//
// Thread-safety: the routes may run on many server threads at once; every use of the exchange
// goes through SharedExchange::With.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string_view>

#include "base/base.h"
#include "server/http.h"
#include "server/users.h"

namespace detente::peer {
class SharedExchange;
}  // namespace detente::peer

namespace detente::server {

// The pseudo-collection whose write grant lets a user act through the API (it names no TAXII
// collection; `detente user grant` accepts it as is).
inline constexpr std::string_view kAccordGrant = "accord";
// JSON bodies of the API are at most this large (the server's max_content_length applies
// first).
inline constexpr size_t kMaxApiBodyBytes = 1 << 20;
// Nesting deeper than this in a request body is refused (400).
inline constexpr int kMaxApiJsonDepth = 32;
// At most this many logins run Argon2id at once; more are answered 429 (each costs 64 MiB).
inline constexpr int kMaxConcurrentLogins = 2;

class ApiMount {
 public:
  // `exchange` and `users` must outlive the router the routes are added to. `notify` (may be
  // empty) runs after each message sent (e.g. to wake the peer agent).
  ApiMount(peer::SharedExchange* exchange, UserStore* users, std::function<void()> notify = {});

  // Adds every /api/v1/ route. Errors: those of Router::Add (the routes already exist).
  base::Status AddRoutes(Router& router);

 private:
  Response Login(const Request& request);
  Response Me(const Request& request) const;
  Response Overview(const Request& request);
  Response ListRequests(const Request& request);
  Response GetRequest(const Request& request);
  Response FileRequest(const Request& request);
  Response ListViolations(const Request& request);
  Response GetViolation(const Request& request);
  Response ReportViolation(const Request& request);
  Response Act(const Request& request, std::string_view prefix);
  Response Shares(const Request& request);
  Response Sightings(const Request& request);
  Response Scorecard(const Request& request);
  Response Verify(const Request& request);

  peer::SharedExchange* exchange_;
  UserStore* users_;
  std::function<void()> notify_;
  std::atomic<int> logins_in_flight_{0};
  // A verification reads the whole store under the exchange's lock (the peer agent, the
  // workflow ticker and every other route wait): one at a time, others are answered 429.
  std::atomic<bool> verifying_{false};
};

}  // namespace detente::server
