// server/http.cc: Request/Response helpers, the Router and Dispatch. Tested by
// tests/server/router_test.cc.
#include "server/http.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <set>

namespace detente::server {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  // "/a/b/" -> {"a", "b", ""}; "/" -> {""}.
  std::vector<std::string_view> out;
  size_t pos = 1;
  while (true) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) {
      out.push_back(path.substr(pos));
      break;
    }
    out.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return out;
}

bool IsParam(std::string_view seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

constexpr char kChallenge[] = "Basic realm=\"detente\", charset=\"UTF-8\"";
constexpr char kBearerChallenge[] = "Bearer realm=\"detente\"";

}  // namespace

bool Principal::CanRead(std::string_view collection) const {
  for (const Grant& g : grants) {
    if (g.collection == collection) return g.read;
  }
  return false;
}

bool Principal::CanWrite(std::string_view collection) const {
  for (const Grant& g : grants) {
    if (g.collection == collection) return g.write;
  }
  return false;
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

bool Request::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return true;
  }
  return false;
}

std::string_view Request::Param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

void Response::SetHeader(std::string_view name, std::string_view value) {
  std::erase_if(headers, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  AddHeader(name, value);
}

void Response::AddHeader(std::string_view name, std::string_view value) {
  headers.emplace_back(std::string(name), std::string(value));
}

std::string_view Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.SetHeader("Content-Type", "application/json");
  return r;
}

Response Response::Error(int status, std::string_view title, std::string_view description) {
  std::string body = "{\"title\":";
  // Titles and descriptions are ours, but may quote client input: escape, and never emit
  // invalid UTF-8 into JSON.
  base::AppendJsonString(&body, base::IsValidUtf8(title) ? title : "error");
  body += ",\"description\":";
  base::AppendJsonString(&body,
                         base::IsValidUtf8(description) ? description : "(not valid UTF-8)");
  body += ",\"http_status\":\"" + std::to_string(status) + "\"}";
  Response r = Json(status, std::move(body));
  r.SetHeader("Content-Type", kErrorContentType);
  return r;
}

Response Response::FromStatus(const base::Status& status) {
  using base::StatusCode;
  switch (status.code()) {
    case StatusCode::kOk:
      return Json(200, "{}");
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return Error(400, "Bad Request", status.message());
    case StatusCode::kUnauthenticated:
      return Error(401, "Unauthorized", status.message());
    case StatusCode::kPermissionDenied:
      return Error(403, "Forbidden", status.message());
    case StatusCode::kNotFound:
      return Error(404, "Not Found", status.message());
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return Error(409, "Conflict", status.message());
    case StatusCode::kResourceExhausted:
      return Error(413, "Payload Too Large", status.message());
    case StatusCode::kUnavailable:
      return Error(503, "Service Unavailable", status.message());
    default:
      spdlog::error("internal error answered as 500: {}", status.ToString());
      return Error(500, "Internal Server Error", "internal error (logged by the server)");
  }
}

base::Status Router::Add(std::string_view method, std::string_view pattern, Access access,
                         Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    return base::InvalidArgumentError("route pattern \"" + std::string(pattern) +
                                      "\" does not start with '/'");
  }
  if (method.empty()) return base::InvalidArgumentError("route method is empty");
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  route.access = access;
  route.handler = std::move(handler);
  std::set<std::string_view> names;
  for (std::string_view seg : SplitPath(pattern)) {
    bool has_brace = seg.find_first_of("{}") != std::string_view::npos;
    if (has_brace) {
      if (!IsParam(seg) || seg.size() == 2 ||
          seg.substr(1, seg.size() - 2).find_first_of("{}/") != std::string_view::npos) {
        return base::InvalidArgumentError("route pattern \"" + std::string(pattern) +
                                          "\": bad parameter segment \"" + std::string(seg) +
                                          "\"");
      }
      if (!names.insert(seg).second) {
        return base::InvalidArgumentError("route pattern \"" + std::string(pattern) +
                                          "\": parameter " + std::string(seg) + " used twice");
      }
    }
    route.segments.emplace_back(seg);
  }
  for (const Route& r : routes_) {
    if (r.method != route.method || r.segments.size() != route.segments.size()) continue;
    bool same = true;
    for (size_t i = 0; i < r.segments.size() && same; ++i) {
      bool p1 = IsParam(r.segments[i]), p2 = IsParam(route.segments[i]);
      same = (p1 && p2) || (!p1 && !p2 && r.segments[i] == route.segments[i]);
    }
    if (same) {
      return base::AlreadyExistsError("route " + route.method + " " + route.pattern +
                                      " clashes with " + r.pattern);
    }
  }
  routes_.push_back(std::move(route));
  return base::OkStatus();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  if (path.empty() || path.front() != '/') {
    m.kind = Match::Kind::kBadPath;
    m.error = "request path must start with '/'";
    return m;
  }
  std::vector<std::string_view> segs = SplitPath(path);
  // Score: prefer routes whose earliest differing segment is literal. Among candidates of the
  // same shape, the best is the one with the most literal segments, earliest first.
  const Route* best = nullptr;
  std::vector<bool> best_shape;
  std::set<std::string> allowed;
  for (const Route& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    bool ok = true;
    std::vector<bool> shape;  // true = literal
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      if (IsParam(r.segments[i])) {
        ok = !segs[i].empty();
        shape.push_back(false);
      } else {
        ok = r.segments[i] == segs[i];
        shape.push_back(true);
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      allowed.insert(r.method);
      continue;
    }
    // Lexicographic comparison with literal (true) > parameter (false).
    if (best == nullptr || shape > best_shape) {
      best = &r;
      best_shape = std::move(shape);
    }
  }
  if (best == nullptr) {
    if (!allowed.empty()) {
      m.kind = Match::Kind::kBadMethod;
      m.allowed.assign(allowed.begin(), allowed.end());
    }
    return m;
  }
  for (size_t i = 0; i < segs.size(); ++i) {
    if (!IsParam(best->segments[i])) continue;
    auto decoded = PercentDecode(segs[i]);
    if (!decoded.ok()) {
      m.kind = Match::Kind::kBadPath;
      m.error = "path segment " + std::to_string(i + 1) + ": " + decoded.status().message();
      return m;
    }
    const std::string& name = best->segments[i];
    m.params.emplace(name.substr(1, name.size() - 2), std::move(decoded).value());
  }
  m.kind = Match::Kind::kFound;
  m.handler = &best->handler;
  m.access = best->access;
  m.pattern = best->pattern;
  return m;
}

Response Dispatch(const Router& router, Authenticator* auth, Request& request,
                  DispatchInfo* info) {
  DispatchInfo local;
  if (info == nullptr) info = &local;
  info->route = "unmatched";
  try {
    Router::Match m = router.Find(request.method, request.path);
    switch (m.kind) {
      case Router::Match::Kind::kNoPath:
        return Response::Error(404, "Not Found", "no resource at this path");
      case Router::Match::Kind::kBadPath:
        return Response::Error(400, "Bad Request", m.error);
      case Router::Match::Kind::kBadMethod: {
        std::string allow;
        for (const std::string& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
        Response r = Response::Error(405, "Method Not Allowed",
                                     "method " + request.method + " is not allowed here; allowed: " +
                                         allow);
        r.SetHeader("Allow", allow);
        return r;
      }
      case Router::Match::Kind::kFound:
        break;
    }
    info->route = m.pattern;
    request.params = std::move(m.params);
    request.principal.reset();
    if (m.access == Access::kAuthenticated) {
      if (auth == nullptr) {
        spdlog::error("route {} needs authentication but the server has no authenticator",
                      m.pattern);
        return Response::Error(500, "Internal Server Error", "authentication is not configured");
      }
      base::Result<Principal> p = auth->Authenticate(request.Header("authorization"));
      if (!p.ok()) {
        if (p.status().code() != base::StatusCode::kUnauthenticated) {
          return Response::FromStatus(p.status());
        }
        Response r = Response::Error(401, "Unauthorized", p.status().message());
        r.AddHeader("WWW-Authenticate", kChallenge);
        r.AddHeader("WWW-Authenticate", kBearerChallenge);
        return r;
      }
      info->user = p->name;
      request.principal = std::move(p).value();
    }
    return (*m.handler)(request);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", request.method, request.path, e.what());
  } catch (...) {
    spdlog::error("handler for {} {} threw a non-standard exception", request.method,
                  request.path);
  }
  return Response::Error(500, "Internal Server Error", "internal error (logged by the server)");
}

base::Result<std::string> PercentDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) {
      return base::InvalidArgumentError("truncated percent-escape at offset " + std::to_string(i));
    }
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) {
      return base::InvalidArgumentError("bad percent-escape at offset " + std::to_string(i));
    }
    char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') {
      return base::InvalidArgumentError("percent-escape decodes to NUL at offset " +
                                        std::to_string(i));
    }
    out.push_back(c);
    i += 2;
  }
  return out;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

}  // namespace detente::server
