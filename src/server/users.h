// server/users.h: users, password hashes, bearer tokens and per-collection grants, stored
// through the store module (tables server_users, server_tokens, server_grants; schema in
// ../../docs/operations.md "Storage"), and the Authenticator that checks HTTP Basic and
// bearer credentials against them.
//
// Passwords: libsodium crypto_pwhash_str (Argon2id13) with OPSLIMIT_INTERACTIVE (2 passes) and
// MEMLIMIT_INTERACTIVE (64 MiB), salted, in the PHC string form. Tokens: "dtk_" + base64url of
// 32 random bytes, shown once; only their SHA-256 is stored. Successful verifications are
// cached in memory for `cache_ttl` keyed by the SHA-256 of the whole Authorization header, so
// a busy client does not pay Argon2 per request; the cache holds no secrets.
//
// Thread-safety: a UserStore is thread-safe (one connection behind a mutex; the Argon2 work
// of Authenticate runs outside it).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/base.h"
#include "crypto/crypto.h"
#include "server/http.h"
#include "store/store.h"

namespace detente::server {

// The server module's schema migrations (store::Migrate), module name "server".
std::span<const store::Migration> Migrations();

inline constexpr size_t kMaxUserNameLength = 64;
inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 1024;
// An Authorization header longer than this is rejected before any decoding.
inline constexpr size_t kMaxAuthorizationLength = 4096;
inline constexpr std::string_view kTokenPrefix = "dtk_";

struct UserInfo {
  std::string name;
  std::string created;  // RFC 3339
  int64_t tokens = 0;   // live bearer tokens
  std::vector<Grant> grants;
};

// Parsed credentials of an Authorization header.
struct Credentials {
  enum class Kind { kBasic, kBearer } kind = Kind::kBasic;
  std::string user;    // Basic only
  std::string secret;  // the password or the token
};

// Parses "Basic <base64(user:password)>" or "Bearer <token>" (scheme case-insensitive, one or
// more spaces). Errors: kUnauthenticated naming what is wrong ("no Authorization header",
// "unsupported authorization scheme", "malformed Basic credentials: ..."), never echoing the
// secret.
base::Result<Credentials> ParseAuthorization(std::string_view header);

struct UserStoreOptions {
  std::chrono::milliseconds cache_ttl{60'000};
  size_t cache_max_entries = 10'000;
  // Argon2id cost. The defaults are libsodium's "interactive" limits; tests lower them.
  uint64_t pwhash_opslimit = 0;  // 0: crypto_pwhash_OPSLIMIT_INTERACTIVE
  size_t pwhash_memlimit = 0;    // 0: crypto_pwhash_MEMLIMIT_INTERACTIVE
  base::Clock* clock = nullptr;  // null: SystemClock::Default(); must outlive the store
};

class UserStore final : public Authenticator {
 public:
  // Takes `conn` and applies Migrations() to it.
  // Errors: those of store::Migrate, kInternal if libsodium cannot initialise.
  static base::Result<std::unique_ptr<UserStore>> Open(std::unique_ptr<store::Connection> conn,
                                                       UserStoreOptions options = {});
  ~UserStore() override;

  // Adds a user. Names: 1-64 characters of [A-Za-z0-9._-], not starting with '.' or '-';
  // passwords: 8-1024 bytes of valid UTF-8 without control characters.
  // Errors: kInvalidArgument (bad name or password, saying which rule), kAlreadyExists,
  // store errors.
  base::Status AddUser(std::string_view name, std::string_view password);
  // Replaces the password of an existing user and drops the credential cache.
  // Errors: as AddUser; kNotFound when there is no such user.
  base::Status SetPassword(std::string_view name, std::string_view password);
  // All users ordered by name.
  base::Result<std::vector<UserInfo>> ListUsers();
  // Issues a new bearer token for `name` and returns it (the only time it is visible).
  // Errors: kNotFound, store errors.
  base::Result<std::string> IssueToken(std::string_view name);
  // Sets read and/or write on `collection` for `name` (adding to what it had).
  // Errors: kNotFound (no such user), kInvalidArgument (empty or over-long collection id, or
  // neither read nor write), store errors.
  base::Status GrantAccess(std::string_view name, std::string_view collection, bool read,
                           bool write);
  // Removes read and/or write; with neither flag, removes both. Removing what was not
  // granted is not an error. Drops the credential cache so the change applies at once.
  // Errors: kNotFound (no such user), store errors.
  base::Status RevokeAccess(std::string_view name, std::string_view collection, bool read,
                            bool write);

  // Checks a user name and password. Runs Argon2 even for unknown users, so timing does not
  // tell whether a user exists. Errors: kUnauthenticated ("bad user name or password").
  base::Result<Principal> VerifyPassword(std::string_view name, std::string_view password);
  // Checks a bearer token. Errors: kUnauthenticated ("unknown or revoked token").
  base::Result<Principal> VerifyToken(std::string_view token);

  // Authenticator: parses the header, consults the cache, else VerifyPassword/VerifyToken.
  // Concurrent requests with the same header share one check (the others wait for it).
  base::Result<Principal> Authenticate(std::string_view authorization) override;

  // Drops every cached verification.
  void ClearCache();
  // How many Argon2id password verifications Authenticate has run (for tests and metrics).
  uint64_t password_checks() const { return password_checks_.load(); }

 private:
  UserStore(std::unique_ptr<store::Connection> conn, UserStoreOptions options);
  base::Result<int64_t> UserId(std::string_view name);  // REQUIRES: mu_ held
  base::Result<Principal> LoadPrincipal(int64_t id, std::string name);  // REQUIRES: mu_ held
  base::Result<std::string> HashPassword(std::string_view password) const;

  struct CacheEntry {
    Principal principal;
    int64_t expires_ms;
  };

  const UserStoreOptions options_;
  base::Clock* const clock_;
  std::string dummy_hash_;  // verified against for unknown users

  std::mutex mu_;  // guards conn_
  std::unique_ptr<store::Connection> conn_;

  std::mutex cache_mu_;  // guards cache_ and in_flight_
  std::unordered_map<std::string, CacheEntry> cache_;  // key: raw SHA-256 of the header
  // Headers being checked right now: a second request with the same credentials waits for
  // the first check's result instead of running Argon2id (64 MiB) again at the same time.
  std::unordered_set<std::string> in_flight_;
  std::condition_variable in_flight_cv_;
  std::atomic<uint64_t> password_checks_{0};
};

}  // namespace detente::server
