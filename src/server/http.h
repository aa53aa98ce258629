// server/http.h: the transport-neutral HTTP model of the server module: Request, Response, a
// Router from (method, path pattern) to handlers, and Dispatch(), which applies routing,
// authentication and the last-resort catch. Nothing here depends on Beast, so handlers and
// routing are tested without sockets. The Beast transport (http_server.cc) converts to and
// from these types.
//
// Thread-safety: Request/Response are values. A Router is built before serving and then only
// read: Find/Dispatch are safe from many threads once no Add() runs.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/base.h"

namespace detente::server {

// A collection grant of one user.
struct Grant {
  std::string collection;
  bool read = false;
  bool write = false;
  friend bool operator==(const Grant&, const Grant&) = default;
};

// An authenticated user and what it may touch.
struct Principal {
  std::string name;
  std::vector<Grant> grants;  // sorted by collection
  bool CanRead(std::string_view collection) const;
  bool CanWrite(std::string_view collection) const;
};

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // the raw request target, e.g. "/a/b?x=1"
  std::string path;    // target up to '?', not decoded
  std::string query;   // after '?', not decoded ("" if none)
  // Header fields in arrival order; names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;  // "ip:port" of the peer

  // Filled by Dispatch: the route parameters (percent-decoded) and the caller, if any.
  std::map<std::string, std::string, std::less<>> params;
  std::optional<Principal> principal;

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The route parameter `name`, or "" when absent.
  std::string_view Param(std::string_view name) const;
};

// The Content-Type of Response::Error bodies (they are TAXII 2.1 error messages).
inline constexpr std::string_view kErrorContentType = "application/taxii+json;version=2.1";

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Replaces every header named `name` (case-insensitive) with one of value `value`.
  void SetHeader(std::string_view name, std::string_view value);
  void AddHeader(std::string_view name, std::string_view value);
  std::string_view Header(std::string_view name) const;

  // `body` with Content-Type application/json.
  static Response Json(int status, std::string body);
  // The JSON error body used for every error the server itself produces:
  // {"title": <title>, "description": <description>, "http_status": "<status>"}
  // (the TAXII 2.1 error message shape, section 3.6.1), with Content-Type kErrorContentType:
  // TAXII 2.1 (section 3.1) wants every response, errors included, to carry the TAXII media
  // type, and a 401/404/405/413 is produced here before any TAXII code runs.
  static Response Error(int status, std::string_view title, std::string_view description);
  // The Error for a failed Status: kInvalidArgument -> 400, kNotFound -> 404,
  // kAlreadyExists/kFailedPrecondition -> 409, kPermissionDenied -> 403,
  // kUnauthenticated -> 401, kResourceExhausted -> 413, kUnavailable -> 503, else 500 (whose
  // description then hides the message: it is logged, not sent).
  static Response FromStatus(const base::Status& status);
};

using Handler = std::function<Response(const Request&)>;

enum class Access {
  kPublic,         // no credentials needed (healthz, metrics, discovery)
  kAuthenticated,  // Dispatch requires a valid Authorization header and sets principal
};

// Checks an Authorization header value. Implementations must be thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Errors: kUnauthenticated (missing, malformed or wrong credentials; the message says which
  // without echoing secrets), kUnavailable (the user database is unreachable).
  virtual base::Result<Principal> Authenticate(std::string_view authorization) = 0;
};

class Router {
 public:
  // Adds a route. `pattern` is an absolute path of '/'-separated segments, each literal or a
  // whole-segment parameter "{name}" that matches one non-empty segment, e.g.
  // "/taxii2/{api_root}/collections/{id}/objects/". A trailing '/' is significant. Literal
  // segments win over parameters when both match. `method` is upper-case ("GET").
  // Errors: kInvalidArgument (malformed pattern: not starting with '/', bad "{...}", a
  // parameter name used twice), kAlreadyExists (same method and same pattern shape).
  base::Status Add(std::string_view method, std::string_view pattern, Access access,
                   Handler handler);

  struct Match {
    enum class Kind { kFound, kNoPath, kBadMethod, kBadPath } kind = Kind::kNoPath;
    const Handler* handler = nullptr;
    Access access = Access::kPublic;
    std::string pattern;  // the matched route pattern (the metrics label)
    std::map<std::string, std::string, std::less<>> params;
    std::vector<std::string> allowed;  // for kBadMethod: the methods that exist for the path
    std::string error;                 // for kBadPath: what is wrong
  };
  // Finds the route for `method` and the raw (not decoded) `path`.
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    Access access;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// What Dispatch did, for logs and metrics.
struct DispatchInfo {
  std::string route;  // the matched pattern, or "unmatched"
  std::string user;   // the authenticated user, or ""
};

// Routes `request`, authenticates it when the route needs it (401 with
// WWW-Authenticate challenges for Basic and Bearer when that fails; 503 when the user
// database is unavailable), runs the handler inside a last-resort catch (an exception becomes
// a logged 500), and answers 404/405 (with Allow) with JSON error bodies. `auth` may be null
// only if no route needs authentication (else such routes answer 500).
Response Dispatch(const Router& router, Authenticator* auth, Request& request,
                  DispatchInfo* info);

// Percent-decodes `s` (RFC 3986 section 2.1). Errors: kInvalidArgument naming the offset of a
// malformed escape, or a decoded NUL.
base::Result<std::string> PercentDecode(std::string_view s);

// The reason phrase for an HTTP status code ("Not Found"), "Unknown" if unlisted.
std::string_view ReasonPhrase(int status);

}  // namespace detente::server
