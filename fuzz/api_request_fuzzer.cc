// api_request_fuzzer: feeds one HTTP request to the JSON API (server::ApiMount, /api/v1/...)
// through server::Router and server::Dispatch, as `detente serve` mounts it, over beta's node
// (fuzz_node.h: a node directory in a temp dir holding an accord with alpha and gamma and a few
// cases) and a UserStore with users "actor" (write on "accord"), "reader" (no grant) and
// password "fuzz-password". Input layout:
//   byte 0: flags: bits 0-1 pick the credentials (0: none, 1: actor Basic, 2: reader Basic,
//           3: actor Bearer); bit 2: restore the node to its snapshot first
//   then "METHOD\nTARGET\n" and the body (the rest).
// In the target and the body, "@R" becomes the id of the request alpha filed to beta, "@O" the
// one beta filed to alpha, "@V" the violation report against beta, "@L" the id of the last
// message the API created (so actions reach the state machines with real case ids).
// Nothing may crash, and no answer may be a 5xx (every client mistake is a 4xx). The node is
// restored to its snapshot every 64 created messages so its size stays bounded.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "fuzz_node.h"
#include "peer/peer.h"

namespace {

using namespace detente;

constexpr char kPassword[] = "fuzz-password";

struct ApiWorld {
  fuzzing::NodeWorld node;
  std::unique_ptr<server::UserStore> users;
  std::unique_ptr<peer::SharedExchange> shared;
  std::unique_ptr<server::ApiMount> api;
  std::unique_ptr<server::Router> router;
  std::string actor_basic, reader_basic, actor_bearer;
  std::string last_id;
  int created = 0;

  ApiWorld() {
    store::Options o;
    o.url = ":memory:";
    auto conn = store::Connect(o);
    fuzzing::Check(conn.status(), "users db");
    server::UserStoreOptions uo;
    uo.pwhash_opslimit = 1;
    uo.pwhash_memlimit = 8192;
    uo.clock = &node.clock();
    auto u = server::UserStore::Open(std::move(conn).value(), uo);
    fuzzing::Check(u.status(), "UserStore::Open");
    users = std::move(u).value();
    fuzzing::Check(users->AddUser("actor", kPassword), "AddUser");
    fuzzing::Check(users->AddUser("reader", kPassword), "AddUser");
    fuzzing::Check(users->GrantAccess("actor", server::kAccordGrant, true, true), "Grant");
    auto token = users->IssueToken("actor");
    fuzzing::Check(token.status(), "IssueToken");
    actor_bearer = "Bearer " + *token;
    actor_basic = "Basic " + base::Base64Encode(base::AsBytes(std::string("actor:") + kPassword));
    reader_basic = "Basic " + base::Base64Encode(base::AsBytes(std::string("reader:") + kPassword));
    Mount();
  }

  void Mount() {
    shared = std::make_unique<peer::SharedExchange>(node.Take());
    api = std::make_unique<server::ApiMount>(shared.get(), users.get());
    router = std::make_unique<server::Router>();
    fuzzing::Check(api->AddRoutes(*router), "AddRoutes");
  }

  // Puts beta's database back to the snapshot (the SharedExchange gives its Exchange back
  // by being destroyed: the world reopens every exchange).
  void Restore() {
    router.reset();
    api.reset();
    shared.reset();
    node.Give(nullptr);
    node.Restore();
    Mount();
    created = 0;
    last_id.clear();
  }
};

ApiWorld& TheWorld() {
  static ApiWorld* w = new ApiWorld();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > (1 << 16)) return 0;
  ApiWorld& w = TheWorld();
  const uint8_t flags = data[0];
  if ((flags & 4) != 0 || w.created >= 64) w.Restore();
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  auto line = [&in]() {
    size_t nl = in.find('\n');
    std::string l(in.substr(0, nl));
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    return l;
  };
  server::Request req;
  req.method = line();
  req.target = line();
  req.body = std::string(in);
  for (std::string* s : {&req.target, &req.body}) {
    fuzzing::ReplaceAll(*s, "@R", w.node.request_in());
    fuzzing::ReplaceAll(*s, "@O", w.node.request_out());
    fuzzing::ReplaceAll(*s, "@V", w.node.violation());
    fuzzing::ReplaceAll(*s, "@L", w.last_id);
  }
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
  switch (flags & 3) {
    case 1:
      req.headers.emplace_back("authorization", w.actor_basic);
      break;
    case 2:
      req.headers.emplace_back("authorization", w.reader_basic);
      break;
    case 3:
      req.headers.emplace_back("authorization", w.actor_bearer);
      break;
    default:
      break;
  }
  req.headers.emplace_back("content-type", "application/json");
  req.remote = "127.0.0.1:1";
  server::DispatchInfo info;
  server::Response resp = server::Dispatch(*w.router, w.users.get(), req, &info);
  static const bool verbose = std::getenv("DETENTE_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "api_request: %s %s -> %d %.300s\n", req.method.c_str(),
                 req.target.c_str(), resp.status, resp.body.c_str());
  }
  if (resp.status < 200 || resp.status >= 500) {
    std::fprintf(stderr, "api_request: %s %s -> %d %s\n", req.method.c_str(), req.target.c_str(),
                 resp.status, resp.body.c_str());
    std::abort();
  }
  if (resp.status == 201) {
    ++w.created;
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(resp.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("id")) std::abort();
    w.last_id = std::string(v.as_object().at("id").as_string());
  }
  return 0;
}
