// server_auth_fuzzer: feeds one input to every parser of the server module that sees bytes
// from outside: ParseAuthorization, PercentDecode, Router::Find (and Dispatch without an
// authenticator for public routes), ParseListenAddress and ParseConfig. None may crash;
// successful parses are checked for basic invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/server.h"

namespace {

const detente::server::Router& TheRouter() {
  static detente::server::Router* router = [] {
    auto* r = new detente::server::Router();
    auto reply = [](const detente::server::Request& req) {
      detente::server::Response resp;
      resp.body = std::string(req.Param("id"));
      return resp;
    };
    (void)r->Add("GET", "/taxii2/{api_root}/collections/{id}/objects/",
                 detente::server::Access::kPublic, reply);
    (void)r->Add("GET", "/taxii2/{api_root}/collections/special/",
                 detente::server::Access::kPublic, reply);
    (void)r->Add("POST", "/taxii2/{api_root}/collections/{id}/objects/",
                 detente::server::Access::kAuthenticated, reply);
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto creds = detente::server::ParseAuthorization(in);
  if (creds.ok() && creds->kind == detente::server::Credentials::Kind::kBearer &&
      creds->secret.empty()) {
    std::abort();
  }

  auto decoded = detente::server::PercentDecode(in);
  if (decoded.ok() && decoded->size() > in.size()) std::abort();

  std::string path = "/" + std::string(in);
  auto m = TheRouter().Find("GET", path);
  (void)m;
  detente::server::Request req;
  req.method = size % 2 == 0 ? "GET" : "POST";
  req.path = path;
  detente::server::Response resp = detente::server::Dispatch(TheRouter(), nullptr, req, nullptr);
  if (resp.status < 200 || resp.status > 599) std::abort();

  (void)detente::server::ParseListenAddress(in);
  (void)detente::server::ParseConfig(in, "fuzz.toml");
  return 0;
}
