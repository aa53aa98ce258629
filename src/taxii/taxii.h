// taxii/taxii.h: the public header of the taxii module (depends on stix, store, crypto, base).
//
// Two layers:
//   * Repository: API roots, collections, and the object store over store::Connection. Objects
//     are kept VERBATIM (the exact bytes of each object as received), with their id, type,
//     spec_version, version (modified, else created, else the date it was first added),
//     date_added (microseconds, strictly increasing per collection) and TLP level. Pages are
//     read by keyset pagination on (collection, date_added), so a page costs O(page).
//   * Service: the TAXII 2.1 resources (discovery, api-root, status, collections, collection,
//     objects GET/POST, object GET/DELETE, versions, manifest) as a transport-neutral
//     Request -> Response function, with content negotiation, TAXII error bodies, HMAC-signed
//     `next` cursors and the X-TAXII-Date-Added-First/Last headers.
// Authentication is the caller's job (the server module): it sets Request::user. Authorisation
// is a callback (ServiceOptions::access) deciding can_read / can_write / the highest TLP level
// a user may see per collection.
//
// Endpoints, negotiation, cursors and conformance: ../../docs/taxii.md.
//
// Thread-safety: Repository and Service are NOT thread-safe (they use one store::Connection);
// use one of each per thread, all with the same ServiceOptions::cursor_key.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/base.h"
#include "stix/stix.h"
#include "store/store.h"
#include "taxii/envelope.h"     // IWYU pragma: export
#include "taxii/negotiation.h"  // IWYU pragma: export

namespace detente::taxii {

using base::Result;
using base::Status;

// "application/taxii+json;version=2.1": every response's Content-Type.
inline constexpr std::string_view kTaxiiMediaType = "application/taxii+json;version=2.1";
// The media type of the objects a collection stores.
inline constexpr std::string_view kStixMediaType = "application/stix+json;version=2.1";

// The schema of the module's tables (taxii_api_roots, taxii_collections, taxii_objects,
// taxii_status), for store::Migrate. Portable SQL; PostgreSQL variants where types differ.
std::span<const store::Migration> Migrations();

// ---------------------------------------------------------------------------------------------
// Repository.

struct ApiRootInfo {
  std::string name;  // the URL path segment: [A-Za-z0-9_.~-]{1,64}, not "taxii2"
  std::string title;
  std::string description;                        // optional ("" = absent)
  int64_t max_content_length = 10 * 1024 * 1024;  // bytes, > 0
};

struct CollectionInfo {
  std::string id;  // UUIDv4, lower case (assigned by CreateCollection)
  std::string api_root;
  std::string title;
  std::string description;               // optional
  std::string alias;                     // optional; unique within the API root
  std::vector<std::string> media_types;  // empty = absent (means application/stix+json)
  int64_t internal_id = 0;               // the row id; used inside the module
};

// One object version as stored.
struct StoredObject {
  std::string id;
  std::string type;
  std::string spec_version;
  std::string version;        // as written in the object (modified/created) or the date added
  int64_t date_added_us = 0;  // microseconds since the epoch
  std::string body;           // the verbatim bytes
};

// The TAXII matching filters (section 3.4), already parsed and validated.
struct Filter {
  int64_t added_after_us = INT64_MIN;      // exclusive lower bound on date_added
  std::vector<std::string> ids;            // match[id] (OR); empty = any
  std::vector<std::string> types;          // match[type]
  std::vector<std::string> spec_versions;  // match[spec_version]; empty = latest only
  // match[version]: none given = {last}.
  bool version_all = false;
  bool version_first = false;
  bool version_last = false;
  std::vector<std::string> versions;  // exact timestamps, normalised (9 fractional digits)
  // The highest TLP level the reader may see (objects without a TLP marking are always
  // visible); nullopt = no limit.
  std::optional<stix::TlpLevel> max_tlp;
};

struct Page {
  std::vector<StoredObject> objects;  // sorted by date_added
  bool more = false;
};

// The outcome of adding one object.
struct AddResult {
  std::string id;       // the STIX id ("" when the object had none)
  std::string version;  // its version ("" when unknown)
  bool ok = false;
  std::string message;  // why it failed
};

struct RepositoryOptions {
  base::Clock* clock = &base::SystemClock::Default();  // for date_added; must outlive the repo
  // A hard cap on versions of one object per collection (a POST adding more fails for it).
  int max_versions_per_object = 10000;
  // When set, every object added is kept as at least this TLP level, whatever its own
  // markings (e.g. the objects of a share received under TLP:RED: the collection's TLP policy
  // then guards them as RED even when the objects themselves are unmarked).
  std::optional<stix::TlpLevel> min_tlp;
};

// Status resources (section 4.3.1) are kept as their JSON text.
class Repository {
 public:
  // `conn` must outlive the repository and have the taxii migrations applied.
  Repository(store::Connection& conn, RepositoryOptions options = {});

  // Errors: kInvalidArgument (bad name, empty title, max_content_length <= 0),
  // kAlreadyExists (name taken), store errors.
  Status CreateApiRoot(const ApiRootInfo& info);
  // Errors: kNotFound.
  Result<ApiRootInfo> GetApiRoot(std::string_view name);
  // All API roots, ordered by name.
  Result<std::vector<ApiRootInfo>> ListApiRoots();

  // Creates a collection in `info.api_root` with a fresh UUIDv4 (returned, also with the
  // internal id filled in). Errors: kNotFound (API root), kInvalidArgument (empty title,
  // alias that is a UUID), kAlreadyExists (alias taken in this API root).
  Result<CollectionInfo> CreateCollection(CollectionInfo info);
  // By id or alias. Errors: kNotFound.
  Result<CollectionInfo> GetCollection(std::string_view api_root, std::string_view id_or_alias);
  // Ordered by creation (stable across requests).
  Result<std::vector<CollectionInfo>> ListCollections(std::string_view api_root);

  // Validates and stores `objects` (each the verbatim text of one STIX object) in one
  // transaction, assigning strictly increasing date_added values. Per-object problems
  // (invalid STIX, a different object under an existing id+version, too many versions) are
  // reported in the results, not as errors; an exact duplicate (same id, version and RFC 8785
  // canonical form) is reported as success and not stored again.
  // When `status` is given, its rendering of the results is stored as a status resource in
  // the same transaction, so an acknowledged POST and its status are never half-written.
  // Errors (nothing stored): store errors.
  struct StatusRecord {
    std::string api_root;
    std::string id;
    std::string owner;
    std::function<std::string(const std::vector<AddResult>&)> render;
  };
  Result<std::vector<AddResult>> AddObjects(const CollectionInfo& collection,
                                            std::span<const std::string_view> objects,
                                            const StatusRecord* status = nullptr);

  // Object versions matching `filter` added after max(`after_us`, filter.added_after_us)
  // (`after_us` is the cursor position; INT64_MIN for the start), oldest first, at most
  // `limit` (> 0); `more` when a further match exists. One keyset query over an index: the
  // cost is O(limit) for the default and single-type queries (docs/taxii.md, "Storage").
  Result<Page> QueryObjects(const CollectionInfo& collection, const Filter& filter,
                            int64_t after_us, int limit);

  // Whether an object with this id has any version visible under `max_tlp`.
  Result<bool> ObjectExists(const CollectionInfo& collection, std::string_view id,
                            std::optional<stix::TlpLevel> max_tlp);

  // The number of distinct objects (STIX ids, any version, any TLP) in `collection`.
  // Errors: store errors.
  Result<int64_t> CountObjects(const CollectionInfo& collection);

  // Deletes the versions of `id` selected by `filter` (ids/types ignored; version and
  // spec_version honoured; no match[version] = every version). Returns the number deleted.
  Result<int64_t> DeleteObject(const CollectionInfo& collection, std::string_view id,
                               const Filter& filter);

  // Status resources, readable only by the user (`owner`) whose request they describe.
  // Errors of GetStatus: kNotFound (unknown id, or another owner's).
  Status PutStatus(std::string_view api_root, std::string_view id, std::string_view owner,
                   std::string_view json);
  Result<std::string> GetStatus(std::string_view api_root, std::string_view id,
                                std::string_view owner);
  // Deletes status resources created before `before_us` (retention; the spec asks that they
  // stay readable for at least 24 hours). Returns the number deleted.
  Result<int64_t> ExpireStatuses(int64_t before_us);

  store::Connection& connection() { return conn_; }

 private:
  Result<int64_t> ApiRootId(std::string_view name);
  store::Connection& conn_;
  RepositoryOptions options_;
  stix::Validator validator_;
};

// ---------------------------------------------------------------------------------------------
// Transport-neutral HTTP.

// Header names compare case-insensitively.
struct HeaderLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::multimap<std::string, std::string, HeaderLess>;

struct Request {
  std::string method;  // "GET", "POST", "DELETE", ...
  std::string path;    // percent-decoded path, e.g. "/api1/collections/<id>/objects/"
  // Decoded query parameters in order (a name may repeat), e.g. {"match[type]", "indicator"}.
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  std::string user;  // the authenticated user ("" = anonymous)
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // For 5xx answers: the underlying error, for the server's log (never sent to the client).
  std::string log_message;
  // The first value of header `name`, or "".
  std::string Header(std::string_view name) const;
};

// Splits and percent-decodes a raw query string ("a=1&match%5Btype%5D=x"); '+' is a space.
// Errors: kInvalidArgument (bad %-escape, more than 64 parameters, over 16 KiB).
Result<std::vector<std::pair<std::string, std::string>>> ParseQueryString(std::string_view raw);

// What a user may do with one collection.
struct CollectionAccess {
  bool can_read = false;
  bool can_write = false;
  // The highest TLP level this user may read in the collection; nullopt = any level. Objects
  // above it are left out of every listing and answer 404 by id.
  std::optional<stix::TlpLevel> max_tlp;
};

struct DiscoveryInfo {
  std::string title = "detente TAXII server";
  std::string description;
  std::string contact;
  std::string default_api_root;  // an API root name, or ""
};

struct ServiceOptions {
  DiscoveryInfo discovery;
  // Decides per (user, collection); the default allows everything.
  std::function<CollectionAccess(std::string_view user, const CollectionInfo&)> access;
  // 32 bytes that sign `next` cursors; a random key when empty (cursors then do not survive a
  // restart). Share it between the Service instances of one server.
  std::string cursor_key;
  int max_page_size = 1000;  // the server's own limit on objects per page
  base::Clock* clock = &base::SystemClock::Default();
};

// The TAXII 2.1 resources. Handle() never fails: every problem is a TAXII error response.
class Service {
 public:
  // `repo` must outlive the service.
  Service(Repository& repo, ServiceOptions options = {});
  Response Handle(const Request& request);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace detente::taxii
