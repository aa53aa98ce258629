// base/uuid.cc: RFC 9562 UUIDs. Version 4 reads the kernel CSPRNG with getrandom(2);
// version 5 hashes with OpenSSL's EVP SHA-1 (RFC 9562 section 5.5). Tested by uuid_test.cc.
#include "base/uuid.h"

#include <openssl/evp.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "base/check.h"

namespace detente::base {
namespace {

// Offsets of the four '-' in the 8-4-4-4-12 form.
constexpr size_t kDashes[] = {8, 13, 18, 23};
constexpr size_t kUuidTextLength = 36;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void SetVersionAndVariant(std::array<uint8_t, 16>& b, int version) {
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | (version << 4));
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
}

}  // namespace

Result<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != kUuidTextLength) {
    return InvalidArgumentError("uuid: expected 36 characters, got " + std::to_string(text.size()));
  }
  std::array<uint8_t, 16> bytes{};
  size_t out = 0;
  size_t i = 0;
  while (i < kUuidTextLength) {
    if (i == kDashes[0] || i == kDashes[1] || i == kDashes[2] || i == kDashes[3]) {
      if (text[i] != '-') return InvalidArgumentError("uuid: expected '-' at " + std::to_string(i));
      ++i;
      continue;
    }
    int hi = HexValue(text[i]);
    if (hi < 0) return InvalidArgumentError("uuid: bad hex digit at " + std::to_string(i));
    int lo = HexValue(text[i + 1]);
    if (lo < 0) return InvalidArgumentError("uuid: bad hex digit at " + std::to_string(i + 1));
    bytes[out++] = static_cast<uint8_t>((hi << 4) | lo);
    i += 2;
  }
  return Uuid(bytes);
}

Uuid Uuid::V4() {
  std::array<uint8_t, 16> b{};
  size_t got = 0;
  while (got < b.size()) {
    ssize_t n = getrandom(b.data() + got, b.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    // getrandom without GRND_NONBLOCK only fails on a broken kernel: crash, don't recover.
    DETENTE_CHECK(n > 0);
    got += static_cast<size_t>(n);
  }
  SetVersionAndVariant(b, 4);
  return Uuid(b);
}

Uuid Uuid::V5(const Uuid& name_space, std::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  DETENTE_CHECK(ctx != nullptr);  // OOM only
  bool ok = EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, name_space.bytes().data(), name_space.bytes().size()) == 1 &&
            EVP_DigestUpdate(ctx, name.data(), name.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, digest, &digest_len) == 1;
  EVP_MD_CTX_free(ctx);
  // SHA-1 is always available in the default provider; failure is an environment bug.
  DETENTE_CHECK(ok && digest_len == 20);
  std::array<uint8_t, 16> b{};
  std::memcpy(b.data(), digest, b.size());
  SetVersionAndVariant(b, 5);
  return Uuid(b);
}

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(kUuidTextLength);
  for (size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += kHex[bytes_[i] >> 4];
    s += kHex[bytes_[i] & 0xF];
  }
  return s;
}

Uuid StixScoNamespace() {
  static const Uuid kNamespace(std::array<uint8_t, 16>{0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46,
                                                       0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15,
                                                       0xa9, 0xb7});
  return kNamespace;
}

}  // namespace detente::base
