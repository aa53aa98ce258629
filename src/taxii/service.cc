// taxii/service.cc: the TAXII 2.1 resources as a Request -> Response function: routing,
// content negotiation, access decisions, and the JSON of each resource. Tested by
// service_test.cc (one test per applicable conformance requirement).
#include <strings.h>
#include <algorithm>
#include <cctype>

#include "taxii/cursor.h"
#include "taxii/envelope.h"
#include "taxii/filter.h"
#include "taxii/negotiation.h"
#include "taxii/taxii.h"

namespace detente::taxii {

bool HeaderLess::operator()(std::string_view a, std::string_view b) const {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int ca = std::tolower(static_cast<unsigned char>(a[i]));
    int cb = std::tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

std::string Response::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

constexpr size_t kMaxQueryBytes = 16 * 1024;
constexpr size_t kMaxQueryParams = 64;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, size_t base_offset) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return base::InvalidArgumentError("query string: bad %-escape at offset " +
                                          std::to_string(base_offset + i));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseQueryString(std::string_view raw) {
  if (raw.size() > kMaxQueryBytes) {
    return base::InvalidArgumentError("query string: longer than 16384 bytes");
  }
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t amp = raw.find('&', start);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view part = raw.substr(start, amp - start);
    if (!part.empty()) {
      if (out.size() >= kMaxQueryParams) {
        return base::InvalidArgumentError("query string: more than 64 parameters");
      }
      size_t eq = part.find('=');
      std::string_view name = part.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
      ASSIGN_OR_RETURN(std::string n, PercentDecode(name, start));
      ASSIGN_OR_RETURN(std::string v, PercentDecode(value, start + (eq == part.npos ? 0 : eq + 1)));
      out.emplace_back(std::move(n), std::move(v));
    }
    start = amp + 1;
  }
  return out;
}

namespace {

void Str(std::string* out, std::string_view s) { stix::AppendJsonStringSafe(out, s); }

// A JSON object writer: members separated by commas.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  std::string* Key(std::string_view k) {
    if (n_++ > 0) out_->push_back(',');
    Str(out_, k);
    out_->push_back(':');
    return out_;
  }
  void String(std::string_view k, std::string_view v) { Str(Key(k), v); }
  void Int(std::string_view k, int64_t v) { Key(k)->append(std::to_string(v)); }
  void Bool(std::string_view k, bool v) { Key(k)->append(v ? "true" : "false"); }
  void StringList(std::string_view k, const std::vector<std::string>& v) {
    std::string* o = Key(k);
    o->push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) o->push_back(',');
      Str(o, v[i]);
    }
    o->push_back(']');
  }
  void Close() { out_->push_back('}'); }

 private:
  std::string* out_;
  int n_ = 0;
};

std::string_view ReasonTitle(int status) {
  switch (status) {
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 503:
      return "Service Unavailable";
    default:
      return "Internal Server Error";
  }
}

Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace("Content-Type", std::string(kTaxiiMediaType));
  r.body = std::move(body);
  return r;
}

// A TAXII error object (section 3.6.1) with http_status as a string.
Response Error(int status, std::string_view description) {
  std::string body;
  ObjectWriter w(&body);
  w.String("title", ReasonTitle(status));
  if (!description.empty()) w.String("description", description);
  w.String("http_status", std::to_string(status));
  w.Close();
  return Json(status, std::move(body));
}

// Maps a failed repository Status to a response. Client mistakes have been caught before the
// repository is called, so anything left is ours or the database's.
Response StoreError(const Status& s) {
  if (s.code() == base::StatusCode::kNotFound) return Error(404, s.message());
  Response r = s.code() == base::StatusCode::kUnavailable
                   ? Error(503, "the database is unavailable; retry later")
                   : Error(500, "internal error");
  r.log_message = s.ToString();  // for the server's log, never in the body
  return r;
}

enum class Route {
  kNone,
  kDiscovery,
  kApiRoot,
  kStatus,
  kCollections,
  kCollection,
  kManifest,
  kObjects,
  kObject,
  kVersions,
};

struct Match {
  Route route = Route::kNone;
  std::string api_root, status_id, collection, object;
};

Match RoutePath(std::string_view path) {
  Match m;
  if (path.size() < 2 || path.front() != '/' || path.back() != '/') return m;
  std::vector<std::string_view> seg;
  std::string_view rest = path.substr(1, path.size() - 2);
  size_t start = 0;
  for (;;) {
    size_t slash = rest.find('/', start);
    std::string_view s = rest.substr(start, slash == rest.npos ? rest.npos : slash - start);
    if (s.empty() || seg.size() >= 8) return m;  // "//", or far too deep
    seg.push_back(s);
    if (slash == rest.npos) break;
    start = slash + 1;
  }
  if (seg.size() == 1 && seg[0] == "taxii2") {
    m.route = Route::kDiscovery;
    return m;
  }
  m.api_root = seg[0];
  if (seg.size() == 1) {
    m.route = Route::kApiRoot;
  } else if (seg.size() == 3 && seg[1] == "status") {
    m.route = Route::kStatus;
    m.status_id = seg[2];
  } else if (seg[1] == "collections") {
    if (seg.size() >= 3) m.collection = seg[2];
    if (seg.size() >= 5) m.object = seg[4];
    if (seg.size() == 2) m.route = Route::kCollections;
    if (seg.size() == 3) m.route = Route::kCollection;
    if (seg.size() == 4 && seg[3] == "manifest") m.route = Route::kManifest;
    if (seg.size() == 4 && seg[3] == "objects") m.route = Route::kObjects;
    if (seg.size() == 5 && seg[3] == "objects") m.route = Route::kObject;
    if (seg.size() == 6 && seg[3] == "objects" && seg[5] == "versions") {
      m.route = Route::kVersions;
    }
  }
  return m;
}

std::string_view AllowedMethods(Route r) {
  switch (r) {
    case Route::kObjects:
      return "GET, POST";
    case Route::kObject:
      return "GET, DELETE";
    default:
      return "GET";
  }
}

void AddDateHeaders(Response* r, const Page& page) {
  if (page.objects.empty()) return;
  r->headers.emplace("X-TAXII-Date-Added-First", FormatMicros(page.objects.front().date_added_us));
  r->headers.emplace("X-TAXII-Date-Added-Last", FormatMicros(page.objects.back().date_added_us));
}

// The status resource (section 4.3.1) of a completed POST.
std::string StatusJson(const std::string& id, base::Timestamp request_time,
                       const std::vector<AddResult>& results) {
  std::string body;
  ObjectWriter w(&body);
  w.String("id", id);
  w.String("status", "complete");
  w.String("request_timestamp", FormatMicros(ToMicros(request_time)));
  int64_t ok = 0;
  for (const AddResult& r : results) ok += r.ok ? 1 : 0;
  int64_t failed = static_cast<int64_t>(results.size()) - ok;
  w.Int("total_count", static_cast<int64_t>(results.size()));
  w.Int("success_count", ok);
  auto details = [&](bool want_ok, std::string_view key) {
    std::string* o = w.Key(key);
    o->push_back('[');
    int n = 0;
    for (const AddResult& r : results) {
      if (r.ok != want_ok) continue;
      if (n++ > 0) o->push_back(',');
      ObjectWriter d(o);
      d.String("id", r.id);
      d.String("version", r.version);
      if (!want_ok) d.String("message", r.message);
      d.Close();
    }
    o->push_back(']');
  };
  if (ok > 0) details(true, "successes");
  w.Int("failure_count", failed);
  if (failed > 0) details(false, "failures");
  w.Int("pending_count", 0);
  w.Close();
  return body;
}

}  // namespace

struct Service::Impl {
  Repository& repo;
  ServiceOptions options;
  CursorCodec codec;

  Impl(Repository& r, ServiceOptions o)
      : repo(r), options(std::move(o)), codec(MakeKey(options.cursor_key)) {
    if (!options.access) {
      options.access = [](std::string_view, const CollectionInfo&) {
        return CollectionAccess{true, true, std::nullopt};
      };
    }
    if (options.max_page_size < 1) options.max_page_size = 1;
  }

  static std::string MakeKey(const std::string& key) {
    if (!key.empty()) return key;
    std::string k(32, '\0');
    crypto::RandomBytes(std::span(reinterpret_cast<uint8_t*>(k.data()), k.size()));
    return k;
  }

  Response Handle(const Request& req) {
    Match m = RoutePath(req.path);
    if (m.route == Route::kNone) {
      if (!req.path.empty() && req.path.back() != '/' &&
          RoutePath(req.path + "/").route != Route::kNone) {
        Response r = Error(308, "TAXII paths end with '/': try " + req.path + "/");
        r.headers.emplace("Location", req.path + "/");
        return r;
      }
      return Error(404, "no such endpoint");
    }
    bool method_ok = req.method == "GET" || (m.route == Route::kObjects && req.method == "POST") ||
                     (m.route == Route::kObject && req.method == "DELETE");
    if (!method_ok) {
      Response r = Error(405, "allowed methods: " + std::string(AllowedMethods(m.route)));
      r.headers.emplace("Allow", std::string(AllowedMethods(m.route)));
      return r;
    }
    auto accept = req.headers.find("Accept");
    if (accept != req.headers.end() && !AcceptsTaxii(accept->second)) {
      return Error(406, "this endpoint serves application/taxii+json;version=2.1");
    }
    if (m.route == Route::kDiscovery) return Discovery();

    auto root = repo.GetApiRoot(m.api_root);
    if (!root.ok()) {
      return root.status().code() == base::StatusCode::kNotFound ? Error(404, "no such API root")
                                                                 : StoreError(root.status());
    }
    switch (m.route) {
      case Route::kApiRoot:
        return ApiRoot(*root);
      case Route::kStatus:
        return GetStatus(m, req);
      case Route::kCollections:
        return Collections(m, req);
      default:
        break;
    }
    auto coll = repo.GetCollection(m.api_root, m.collection);
    if (!coll.ok()) {
      return coll.status().code() == base::StatusCode::kNotFound ? Error(404, "no such collection")
                                                                 : StoreError(coll.status());
    }
    CollectionAccess access = options.access(req.user, *coll);
    if (!access.can_read && !access.can_write) return Error(404, "no such collection");
    if (m.route == Route::kCollection) {
      std::string body;
      WriteCollection(&body, *coll, access);
      return Json(200, std::move(body));
    }
    if (m.route == Route::kObjects && req.method == "POST") {
      if (!access.can_write) return Error(403, "no write access to this collection");
      return PostObjects(*root, *coll, req);
    }
    if (m.route == Route::kObject && req.method == "DELETE") {
      if (!access.can_read || !access.can_write) {
        return Error(403, "deleting needs read and write access to this collection");
      }
      return DeleteObject(*coll, m.object, req, access);
    }
    if (!access.can_read) return Error(403, "no read access to this collection");
    switch (m.route) {
      case Route::kObjects:
        return GetObjects(*coll, req, access, /*manifest=*/false);
      case Route::kManifest:
        return GetObjects(*coll, req, access, /*manifest=*/true);
      case Route::kObject:
        return GetObject(*coll, m.object, req, access);
      case Route::kVersions:
        return GetVersions(*coll, m.object, req, access);
      default:
        return Error(404, "no such endpoint");
    }
  }

  Response Discovery() {
    auto roots = repo.ListApiRoots();
    if (!roots.ok()) return StoreError(roots.status());
    std::string body;
    ObjectWriter w(&body);
    const DiscoveryInfo& d = options.discovery;
    w.String("title", d.title);
    if (!d.description.empty()) w.String("description", d.description);
    if (!d.contact.empty()) w.String("contact", d.contact);
    std::vector<std::string> urls;
    bool default_found = false;
    for (const ApiRootInfo& r : *roots) {
      urls.push_back("/" + r.name + "/");
      if (r.name == d.default_api_root) default_found = true;
    }
    if (default_found) w.String("default", "/" + d.default_api_root + "/");
    if (!urls.empty()) w.StringList("api_roots", urls);
    w.Close();
    return Json(200, std::move(body));
  }

  Response ApiRoot(const ApiRootInfo& root) {
    std::string body;
    ObjectWriter w(&body);
    w.String("title", root.title);
    if (!root.description.empty()) w.String("description", root.description);
    w.StringList("versions", {std::string(kTaxiiMediaType)});
    w.Int("max_content_length", root.max_content_length);
    w.Close();
    return Json(200, std::move(body));
  }

  Response GetStatus(const Match& m, const Request& req) {
    auto s = repo.GetStatus(m.api_root, m.status_id, req.user);
    if (!s.ok()) {
      return s.status().code() == base::StatusCode::kNotFound ? Error(404, "no such status")
                                                              : StoreError(s.status());
    }
    return Json(200, std::move(*s));
  }

  void WriteCollection(std::string* out, const CollectionInfo& c, const CollectionAccess& a) {
    ObjectWriter w(out);
    w.String("id", c.id);
    w.String("title", c.title);
    if (!c.description.empty()) w.String("description", c.description);
    if (!c.alias.empty()) w.String("alias", c.alias);
    w.Bool("can_read", a.can_read);
    w.Bool("can_write", a.can_write);
    if (!c.media_types.empty()) w.StringList("media_types", c.media_types);
    w.Close();
  }

  Response Collections(const Match& m, const Request& req) {
    auto list = repo.ListCollections(m.api_root);
    if (!list.ok()) return StoreError(list.status());
    std::string items;
    int n = 0;
    for (const CollectionInfo& c : *list) {
      CollectionAccess a = options.access(req.user, c);
      if (!a.can_read && !a.can_write) continue;  // not the user's to know about
      if (n++ > 0) items.push_back(',');
      WriteCollection(&items, c, a);
    }
    std::string body = n == 0 ? "{}" : "{\"collections\":[" + items + "]}";
    return Json(200, std::move(body));
  }

  // Parses the query, applies the cursor; on error fills *error.
  bool PrepareQuery(const CollectionInfo& coll, std::string_view object_id, const Request& req,
                    Endpoint endpoint, const CollectionAccess& access, QueryParams* params,
                    int64_t* after_us, std::string* binding, Response* error,
                    bool manifest = false) {
    auto p = ParseQueryParams(req.query, endpoint);
    if (!p.ok()) {
      *error = Error(400, p.status().message());
      return false;
    }
    *params = std::move(*p);
    // The manifest shares the objects endpoint's filters (Endpoint::kObjects) but is another
    // resource: its cursors must not be accepted by objects/ and vice versa (#51).
    if (manifest) params->canonical += "resource=manifest\n";
    params->filter.max_tlp = access.max_tlp;
    *binding = CursorCodec::Binding(coll.id, object_id, req.user, params->canonical);
    *after_us = INT64_MIN;
    if (!params->next.empty()) {
      auto pos = codec.Decode(params->next, *binding);
      if (!pos.ok()) {
        *error = Error(400, pos.status().message());
        return false;
      }
      *after_us = *pos;
    }
    int max = options.max_page_size;
    params->limit = params->limit == 0 ? max : std::min(params->limit, max);
    return true;
  }

  void WritePaging(ObjectWriter* w, const Page& page, const std::string& binding) {
    if (!page.more) return;
    w->Bool("more", true);
    w->String("next", codec.Encode(page.objects.back().date_added_us, binding));
  }

  Response GetObjects(const CollectionInfo& coll, const Request& req,
                      const CollectionAccess& access, bool manifest) {
    QueryParams params;
    int64_t after = 0;
    std::string binding;
    Response error;
    if (!PrepareQuery(coll, "", req, Endpoint::kObjects, access, &params, &after, &binding,
                      &error, manifest)) {
      return error;
    }
    auto page = repo.QueryObjects(coll, params.filter, after, params.limit);
    if (!page.ok()) return StoreError(page.status());
    Response r = manifest ? ManifestBody(coll, *page, binding) : EnvelopeBody(*page, binding);
    AddDateHeaders(&r, *page);
    return r;
  }

  Response EnvelopeBody(const Page& page, const std::string& binding) {
    std::string body;
    ObjectWriter w(&body);
    WritePaging(&w, page, binding);
    if (!page.objects.empty()) {
      std::string* o = w.Key("objects");
      o->push_back('[');
      for (size_t i = 0; i < page.objects.size(); ++i) {
        if (i > 0) o->push_back(',');
        o->append(page.objects[i].body);  // verbatim
      }
      o->push_back(']');
    }
    w.Close();
    return Json(200, std::move(body));
  }

  Response ManifestBody(const CollectionInfo& coll, const Page& page, const std::string& binding) {
    std::string body;
    ObjectWriter w(&body);
    WritePaging(&w, page, binding);
    // media_type must be one of the collection's media types (section 5.3.1).
    std::string media_type(kStixMediaType);
    bool listed = coll.media_types.empty() ||
                  std::find(coll.media_types.begin(), coll.media_types.end(), media_type) !=
                      coll.media_types.end();
    if (!page.objects.empty()) {
      std::string* o = w.Key("objects");
      o->push_back('[');
      for (size_t i = 0; i < page.objects.size(); ++i) {
        const StoredObject& obj = page.objects[i];
        if (i > 0) o->push_back(',');
        ObjectWriter rec(o);
        rec.String("id", obj.id);
        rec.String("date_added", FormatMicros(obj.date_added_us));
        rec.String("version", obj.version);
        if (listed && !coll.media_types.empty()) rec.String("media_type", media_type);
        rec.Close();
      }
      o->push_back(']');
    }
    w.Close();
    return Json(200, std::move(body));
  }

  // 404 unless the object has a version this user may see.
  bool CheckExists(const CollectionInfo& coll, std::string_view id, const CollectionAccess& access,
                   Response* error) {
    auto exists = repo.ObjectExists(coll, id, access.max_tlp);
    if (!exists.ok()) {
      *error = StoreError(exists.status());
      return false;
    }
    if (!*exists) {
      *error = Error(404, "no such object");
      return false;
    }
    return true;
  }

  Response GetObject(const CollectionInfo& coll, const std::string& id, const Request& req,
                     const CollectionAccess& access) {
    QueryParams params;
    int64_t after = 0;
    std::string binding;
    Response error;
    if (!PrepareQuery(coll, id, req, Endpoint::kObject, access, &params, &after, &binding,
                      &error) ||
        !CheckExists(coll, id, access, &error)) {
      return error;
    }
    params.filter.ids = {id};
    auto page = repo.QueryObjects(coll, params.filter, after, params.limit);
    if (!page.ok()) return StoreError(page.status());
    Response r = EnvelopeBody(*page, binding);
    AddDateHeaders(&r, *page);
    return r;
  }

  Response GetVersions(const CollectionInfo& coll, const std::string& id, const Request& req,
                       const CollectionAccess& access) {
    QueryParams params;
    int64_t after = 0;
    std::string binding;
    Response error;
    if (!PrepareQuery(coll, id, req, Endpoint::kVersions, access, &params, &after, &binding,
                      &error) ||
        !CheckExists(coll, id, access, &error)) {
      return error;
    }
    params.filter.ids = {id};
    params.filter.version_all = true;
    params.filter.version_last = false;
    auto page = repo.QueryObjects(coll, params.filter, after, params.limit);
    if (!page.ok()) return StoreError(page.status());
    std::string body;
    ObjectWriter w(&body);
    WritePaging(&w, *page, binding);
    if (!page->objects.empty()) {
      std::vector<std::string> versions;
      for (const StoredObject& o : page->objects) versions.push_back(o.version);
      w.StringList("versions", versions);
    }
    w.Close();
    Response r = Json(200, std::move(body));
    AddDateHeaders(&r, *page);
    return r;
  }

  Response DeleteObject(const CollectionInfo& coll, const std::string& id, const Request& req,
                        const CollectionAccess& access) {
    auto p = ParseQueryParams(req.query, Endpoint::kObject);
    if (!p.ok()) return Error(400, p.status().message());
    Response error;
    if (!CheckExists(coll, id, access, &error)) return error;
    if (!p->version_given) {  // no match[version]: the whole object
      p->filter.version_all = true;
      p->filter.version_last = false;
    }
    p->filter.max_tlp = access.max_tlp;
    auto n = repo.DeleteObject(coll, id, p->filter);
    if (!n.ok()) return StoreError(n.status());
    return Json(200, "");
  }

  Response PostObjects(const ApiRootInfo& root, const CollectionInfo& coll, const Request& req) {
    auto ct = req.headers.find("Content-Type");
    if (ct == req.headers.end() || !IsTaxiiContentType(ct->second)) {
      return Error(415, "send application/taxii+json;version=2.1");
    }
    if (static_cast<int64_t>(req.body.size()) > root.max_content_length) {
      return Error(413, "the body is larger than max_content_length (" +
                            std::to_string(root.max_content_length) + " bytes)");
    }
    auto objects = SplitEnvelope(req.body);
    if (!objects.ok()) {
      int status = objects.status().code() == base::StatusCode::kInvalidArgument ? 400 : 422;
      return Error(status, objects.status().message());
    }
    base::Timestamp now = options.clock->Now();
    std::string body;
    Repository::StatusRecord record{root.name, base::Uuid::V4().ToString(), req.user,
                                    [&](const std::vector<AddResult>& results) {
                                      body = StatusJson(record.id, now, results);
                                      return body;
                                    }};
    auto results = repo.AddObjects(coll, *objects, &record);
    if (!results.ok()) return StoreError(results.status());
    return Json(202, std::move(body));
  }
};

Service::Service(Repository& repo, ServiceOptions options)
    : impl_(std::make_shared<Impl>(repo, std::move(options))) {}

Response Service::Handle(const Request& request) { return impl_->Handle(request); }

}  // namespace detente::taxii
