// server/policy.h: what a node keeps beside users and grants for its TAXII collections: the
// per-collection TLP policy (who may see TLP:RED and TLP:AMBER+STRICT objects; table
// server_tlp_policies, migration "server" v2), the default API root every node has, and the
// persistent key that signs TAXII `next` cursors (DIR/cursor.key).
// Semantics and commands: ../../docs/operations.md "Collections" and "TLP policy".
//
// Thread-safety: free functions over a caller-owned store::Connection (not thread-safe
// themselves: use the connection from one thread at a time); the file functions are safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"
#include "stix/stix.h"
#include "store/store.h"
#include "taxii/taxii.h"

namespace detente::server {

// The API root that `detente init` creates and `collection add` uses by default.
inline constexpr std::string_view kDefaultApiRoot = "api1";
// The file (mode 0600) holding the 32 raw bytes that sign TAXII `next` cursors.
inline constexpr std::string_view kCursorKeyFile = "cursor.key";
inline constexpr size_t kCursorKeyBytes = 32;
// At most this many users per list of a policy.
inline constexpr size_t kMaxPolicyUsers = 1000;

// Who may see the two restricted TLP levels in one collection. A user in `red_users` sees
// everything (RED implies AMBER+STRICT); a user only in `amber_strict_users` sees up to
// TLP:AMBER+STRICT; everyone else up to TLP:AMBER.
struct TlpPolicy {
  std::vector<std::string> red_users;           // sorted, unique
  std::vector<std::string> amber_strict_users;  // sorted, unique
  friend bool operator==(const TlpPolicy&, const TlpPolicy&) = default;
};

// Splits "a,b , c" into sorted unique user names ("" gives none).
// Errors: kInvalidArgument naming a bad user name or too many names.
base::Result<std::vector<std::string>> ParseUserList(std::string_view text);

// Stores (replacing) the policy of `collection` (a collection id).
// Errors: kInvalidArgument (empty collection, a bad user name), store errors.
base::Status SetTlpPolicy(store::Connection& conn, std::string_view collection,
                          const TlpPolicy& policy);
// The policy of `collection`, or nullopt when none was set. Errors: store errors.
base::Result<std::optional<TlpPolicy>> GetTlpPolicy(store::Connection& conn,
                                                    std::string_view collection);

// The highest TLP level `user` may read under `policy`: nullopt (no limit) for a RED user;
// kAmberStrict for an AMBER+STRICT user; kAmber otherwise, including when the collection has
// no policy at all (deny by default: RED and AMBER+STRICT go only to the users a policy names).
std::optional<stix::TlpLevel> MaxTlpFor(const std::optional<TlpPolicy>& policy,
                                        std::string_view user);

// Creates API root kDefaultApiRoot (title "<party> TAXII API root") unless it exists.
// Errors: those of taxii::Repository.
base::Status EnsureDefaultApiRoot(taxii::Repository& repo, std::string_view party);

// Finds a collection by id or alias in any API root. Errors: kNotFound ("no collection
// \"X\" on this node"), store errors.
base::Result<taxii::CollectionInfo> FindCollection(taxii::Repository& repo,
                                                   std::string_view id_or_alias);

// Reads DIR/cursor.key; when it does not exist, creates it (O_EXCL, mode 0600) with
// kCursorKeyBytes random bytes first. Returns the key bytes.
// Errors: kDataLoss (the file is not exactly kCursorKeyBytes long), kPermissionDenied,
// kUnavailable (other I/O errors), each naming the file.
base::Result<std::string> LoadOrCreateCursorKey(const std::string& dir);

}  // namespace detente::server
