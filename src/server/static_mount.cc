// server/static_mount.cc: StaticMount (the dashboard's built files as literal routes).
// Tested by tests/server/static_mount_test.cc and, end to end, tests/web/.
#include "server/static_mount.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "crypto/crypto.h"

namespace detente::server {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIndex = "/index.html";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";
// The dashboard talks only to the node that served it; styles are set inline by the app.
constexpr std::string_view kCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

bool IsUrlSafeName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
  });
}

// True when the comma-separated If-None-Match list names `etag` (weak comparison) or is "*".
bool EtagMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

base::Result<std::string> ReadWhole(const fs::path& p, size_t limit) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return base::UnavailableError("cannot open " + p.string());
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return base::UnavailableError("cannot read " + p.string());
  if (data.size() > limit) {
    return base::ResourceExhaustedError(p.string() + " is " + std::to_string(data.size()) +
                                        " bytes, over the limit of " + std::to_string(limit));
  }
  return data;
}

}  // namespace

std::vector<std::string> DashboardClientRoutes() {
  return {"/overview",  "/requests", "/requests/{id}", "/violations", "/violations/{id}",
          "/shares",    "/scorecard", "/verify",       "/login"};
}

bool IsReservedFirstSegment(std::string_view segment) {
  static constexpr std::string_view kReserved[] = {"taxii2", "api1",    "peer",
                                                   "api",    "metrics", "healthz"};
  return std::find(std::begin(kReserved), std::end(kReserved), segment) != std::end(kReserved);
}

std::string_view ContentTypeForPath(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  };
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    std::string ext(name.substr(dot));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& [e, type] : kTypes) {
      if (ext == e) return type;
    }
  }
  return "application/octet-stream";
}

base::Result<std::unique_ptr<StaticMount>> StaticMount::Load(const std::string& dir,
                                                             StaticMountOptions options) {
  std::error_code ec;
  fs::path root(dir);
  if (!fs::is_directory(root, ec)) {
    return base::NotFoundError("web directory " + dir +
                               " does not exist (build it with `make web`)");
  }
  auto mount = std::unique_ptr<StaticMount>(new StaticMount());
  mount->dir_ = dir;
  mount->options_ = std::move(options);
  const StaticMountOptions& o = mount->options_;

  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return base::UnavailableError("cannot list " + dir + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return base::UnavailableError("cannot list " + dir + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    fs::path rel = fs::relative(entry.path(), root, ec);
    if (ec) return base::UnavailableError("cannot resolve " + entry.path().string());
    if (it.depth() >= o.max_depth) {
      return base::InvalidArgumentError(entry.path().string() + " is deeper than " +
                                        std::to_string(o.max_depth) + " levels");
    }
    // Symbolic links are neither followed nor served: the tree is what the build wrote.
    if (entry.is_symlink(ec)) continue;
    bool is_dir = entry.is_directory(ec);
    if (!is_dir && !entry.is_regular_file(ec)) continue;
    std::string route;
    bool first = true;
    for (const fs::path& part : rel) {
      std::string name = part.string();
      if (!IsUrlSafeName(name)) {
        return base::InvalidArgumentError("web file " + entry.path().string() + ": name '" +
                                          name + "' is not URL-safe (letters, digits, -_.~)");
      }
      if (first && IsReservedFirstSegment(name)) {
        return base::InvalidArgumentError("web file " + entry.path().string() + ": '/" + name +
                                          "' is reserved for the node's own API");
      }
      first = false;
      route += "/" + name;
    }
    if (is_dir) continue;
    auto body = ReadWhole(entry.path(), o.max_file_bytes);
    if (!body.ok()) return body.status();
    mount->total_bytes_ += body->size();
    if (mount->total_bytes_ > o.max_total_bytes) {
      return base::ResourceExhaustedError("web directory " + dir + " holds more than " +
                                          std::to_string(o.max_total_bytes) + " bytes");
    }
    File f;
    f.content_type = std::string(ContentTypeForPath(route));
    crypto::Digest d = crypto::Sha256(*body);
    // Built by appends: GCC 12 misreports `"\"" + std::string` (-Wrestrict).
    f.etag.reserve(34);
    f.etag.push_back('"');
    f.etag.append(base::HexEncode(base::ByteView(d.data(), 16)));
    f.etag.push_back('"');
    f.cache_control = std::string(route.starts_with("/assets/") ? kImmutable : kNoCache);
    f.body = std::move(body).value();
    mount->files_.emplace(std::move(route), std::move(f));
  }
  if (!mount->files_.contains(kIndex)) {
    return base::NotFoundError("web directory " + dir +
                               " has no index.html (build it with `make web`)");
  }
  return mount;
}

Response StaticMount::Serve(const Request& request, std::string_view file) const {
  auto it = files_.find(file);
  if (it == files_.end()) return Response::Error(404, "Not Found", "no resource at this path");
  const File& f = it->second;
  Response r;
  r.SetHeader("ETag", f.etag);
  r.SetHeader("Cache-Control", f.cache_control);
  r.SetHeader("X-Content-Type-Options", "nosniff");
  if (f.content_type.starts_with("text/html")) {
    r.SetHeader("Content-Security-Policy", kCsp);
    r.SetHeader("Referrer-Policy", "no-referrer");
  }
  if (request.HasHeader("if-none-match") && EtagMatches(request.Header("if-none-match"), f.etag)) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.SetHeader("Content-Type", f.content_type);
  // HEAD: the same response; the server sends its headers (Content-Length included) only.
  r.body = f.body;
  return r;
}

base::Status StaticMount::AddRoutes(Router& router) const {
  auto add = [&](const std::string& pattern, std::string file) -> base::Status {
    for (std::string_view method : {"GET", "HEAD"}) {
      base::Status s = router.Add(method, pattern, Access::kPublic,
                                  [this, file](const Request& r) { return Serve(r, file); });
      if (!s.ok()) return s;
    }
    return base::OkStatus();
  };
  if (base::Status s = add("/", std::string(kIndex)); !s.ok()) return s;
  for (const auto& [route, f] : files_) {
    if (base::Status s = add(route, route); !s.ok()) return s;
  }
  for (const std::string& pattern : options_.client_routes) {
    if (files_.contains(pattern)) continue;  // a file of that name wins
    if (base::Status s = add(pattern, std::string(kIndex)); !s.ok()) return s;
  }
  return base::OkStatus();
}

}  // namespace detente::server
