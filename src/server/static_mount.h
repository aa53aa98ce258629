// server/static_mount.h: StaticMount serves a directory of built web assets (the dashboard,
// web/dist: ../../docs/dashboard.md) on the Router: GET and HEAD only, public.
//
// The directory is read once, when the mount is loaded: every regular file (symbolic links are
// not followed) becomes one LITERAL route ("/assets/index-3f2a.js"), so a request can only
// ever reach a file that was listed, whatever it spells ("..", "%2e%2e", "//"): path traversal
// is impossible by construction, and no route of another mount is shadowed (literal routes of
// other patterns win or differ; names under reserved first segments - taxii2, api1, peer, api,
// metrics, healthz - are refused at load). "/" and the client routes of the single-page app
// ("/requests", "/requests/{id}", ...) answer index.html. Each file carries a strong ETag (a
// SHA-256 prefix of its bytes; If-None-Match answers 304), a Content-Type from its extension,
// Cache-Control "public, max-age=31536000, immutable" under assets/ (Vite's content-hashed
// names) and "no-cache" elsewhere, X-Content-Type-Options: nosniff, and index.html a
// Content-Security-Policy allowing only the node itself (the dashboard fetches nothing else).
// A rebuilt directory is served after a restart of the server.
//
// Thread-safety: after Load, the mount is immutable; Handle is safe from many threads.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"
#include "server/http.h"

namespace detente::server {

struct StaticMountOptions {
  // Route patterns (Router syntax) answered with index.html, for the app's own routes.
  std::vector<std::string> client_routes;
  size_t max_file_bytes = 16u << 20;   // a larger file fails the load
  size_t max_total_bytes = 64u << 20;  // all files together
  int max_depth = 8;                   // directory levels below the root
};

// The dashboard's client routes (web/src/routes.ts must list the same).
std::vector<std::string> DashboardClientRoutes();

// The first path segments a static file may not use: the node's own API prefixes.
bool IsReservedFirstSegment(std::string_view segment);

class StaticMount {
 public:
  // Reads `dir`. Errors: kNotFound (no such directory, or no index.html in it: the message
  // says how to build it), kInvalidArgument (a file name that is not URL-safe, under a reserved
  // first segment, or a tree deeper than max_depth: names the file), kResourceExhausted (a file
  // or the total over the limits), kUnavailable (a read error).
  static base::Result<std::unique_ptr<StaticMount>> Load(const std::string& dir,
                                                         StaticMountOptions options = {});

  // Adds GET and HEAD for "/", every file and every client route. Errors: those of
  // Router::Add (a route exists already).
  base::Status AddRoutes(Router& router) const;

  // Answers a request for the file at `path` ("/" or "/a/b.js", raw, as routed; a client route
  // is mapped to index.html by the route handler, not here). Exposed for tests.
  Response Serve(const Request& request, std::string_view file) const;

  size_t file_count() const { return files_.size(); }
  size_t total_bytes() const { return total_bytes_; }
  const std::string& dir() const { return dir_; }

 private:
  struct File {
    std::string content_type;
    std::string etag;  // with the quotes
    std::string cache_control;
    std::string body;
  };
  StaticMount() = default;

  std::string dir_;
  StaticMountOptions options_;
  std::map<std::string, File, std::less<>> files_;  // key: "/relative/path"
  size_t total_bytes_ = 0;
};

// The Content-Type for a file name by its extension ("application/octet-stream" if unknown).
std::string_view ContentTypeForPath(std::string_view path);

}  // namespace detente::server
