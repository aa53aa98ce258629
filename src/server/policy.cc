// server/policy.cc: TLP policies, the default API root and the cursor key file.
// Tested by tests/server/policy_test.cc and tests/server/cli_test.cc.
#include "server/policy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "crypto/crypto.h"
#include "server/config.h"

namespace detente::server {
namespace {

std::string JoinUsers(const std::vector<std::string>& users) {
  std::string out;
  for (const std::string& u : users) {
    if (!out.empty()) out += ',';
    out += u;
  }
  return out;
}

bool Contains(const std::vector<std::string>& sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name);
}

base::Status IoError(const std::string& path, int err) {
  if (err == EACCES || err == EPERM)
    return base::PermissionDeniedError(path + ": permission denied");
  return base::UnavailableError(path + ": " + std::strerror(err));
}

}  // namespace

base::Result<std::vector<std::string>> ParseUserList(std::string_view text) {
  std::vector<std::string> users;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      RETURN_IF_ERROR(CheckSimpleName(item, "user name"));
      users.emplace_back(item);
      if (users.size() > kMaxPolicyUsers) {
        return base::InvalidArgumentError("more than " + std::to_string(kMaxPolicyUsers) +
                                          " users in one list");
      }
    }
    start = comma + 1;
  }
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  return users;
}

base::Status SetTlpPolicy(store::Connection& conn, std::string_view collection,
                          const TlpPolicy& policy) {
  if (collection.empty()) return base::InvalidArgumentError("empty collection id");
  for (const auto* list : {&policy.red_users, &policy.amber_strict_users}) {
    for (const std::string& u : *list) RETURN_IF_ERROR(CheckSimpleName(u, "user name"));
  }
  TlpPolicy p = policy;
  for (auto* list : {&p.red_users, &p.amber_strict_users}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  RETURN_IF_ERROR(conn.Exec("INSERT INTO server_tlp_policies (collection, red_users, "
                            "amber_strict_users) VALUES ($1, $2, $3) ON CONFLICT (collection) DO "
                            "UPDATE SET red_users = excluded.red_users, amber_strict_users = "
                            "excluded.amber_strict_users",
                            {collection, JoinUsers(p.red_users), JoinUsers(p.amber_strict_users)})
                      .status());
  return base::OkStatus();
}

base::Result<std::optional<TlpPolicy>> GetTlpPolicy(store::Connection& conn,
                                                    std::string_view collection) {
  ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT red_users, amber_strict_users FROM "
                                         "server_tlp_policies WHERE collection = $1",
                                         {collection}));
  if (!rows->Next()) {
    RETURN_IF_ERROR(rows->status());
    return std::optional<TlpPolicy>();
  }
  TlpPolicy p;
  ASSIGN_OR_RETURN(p.red_users, ParseUserList(rows->Text(0)));
  ASSIGN_OR_RETURN(p.amber_strict_users, ParseUserList(rows->Text(1)));
  return std::optional<TlpPolicy>(std::move(p));
}

std::optional<stix::TlpLevel> MaxTlpFor(const std::optional<TlpPolicy>& policy,
                                        std::string_view user) {
  // Deny by default: a collection without a policy names nobody, so TLP:RED and
  // TLP:AMBER+STRICT objects in it are served to no one until a policy names users.
  if (!policy.has_value()) return stix::TlpLevel::kAmber;
  if (Contains(policy->red_users, user)) return std::nullopt;
  if (Contains(policy->amber_strict_users, user)) return stix::TlpLevel::kAmberStrict;
  return stix::TlpLevel::kAmber;
}

base::Status EnsureDefaultApiRoot(taxii::Repository& repo, std::string_view party) {
  auto root = repo.GetApiRoot(kDefaultApiRoot);
  if (root.ok()) return base::OkStatus();
  if (root.status().code() != base::StatusCode::kNotFound) return root.status();
  taxii::ApiRootInfo info;
  info.name = std::string(kDefaultApiRoot);
  info.title = std::string(party) + " TAXII API root";
  return repo.CreateApiRoot(info);
}

base::Result<taxii::CollectionInfo> FindCollection(taxii::Repository& repo,
                                                   std::string_view id_or_alias) {
  ASSIGN_OR_RETURN(std::vector<taxii::ApiRootInfo> roots, repo.ListApiRoots());
  for (const taxii::ApiRootInfo& root : roots) {
    auto c = repo.GetCollection(root.name, id_or_alias);
    if (c.ok()) return c;
    if (c.status().code() != base::StatusCode::kNotFound) return c.status();
  }
  return base::NotFoundError("no collection \"" + std::string(id_or_alias) +
                             "\" on this node (see detente collection list)");
}

base::Result<std::string> LoadOrCreateCursorKey(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / kCursorKeyFile).string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::string key(kCursorKeyBytes, '\0');
    crypto::RandomBytes(std::span(reinterpret_cast<uint8_t*>(key.data()), key.size()));
    int wfd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (wfd < 0 && errno != EEXIST) return IoError(path, errno);
    if (wfd >= 0) {
      bool ok = ::write(wfd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
                ::fsync(wfd) == 0;
      int err = errno;
      ::close(wfd);
      if (!ok) {
        ::unlink(path.c_str());
        return IoError(path, err);
      }
      return key;
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // another process created it first
  }
  if (fd < 0) return IoError(path, errno);
  std::string key(kCursorKeyBytes + 1, '\0');
  size_t got = 0;
  while (got < key.size()) {
    ssize_t n = ::read(fd, key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return IoError(path, err);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got != kCursorKeyBytes) {
    return base::DataLossError(path + ": expected " + std::to_string(kCursorKeyBytes) +
                               " bytes, found " +
                               (got > kCursorKeyBytes ? "more" : std::to_string(got)));
  }
  key.resize(kCursorKeyBytes);
  return key;
}

}  // namespace detente::server
