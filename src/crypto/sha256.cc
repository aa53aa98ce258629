// crypto/sha256.cc: SHA-256 through OpenSSL 3's EVP interface.
//
// The EVP_MD is fetched once per process (a function-local static, so initialisation is
// thread-safe) instead of per call: an implicit fetch costs a provider lookup under a lock.
// The one-shot Sha256() reuses a thread_local EVP_MD_CTX so hashing millions of small inputs
// allocates nothing per call. Tested by sha256_test.cc.
#include <openssl/evp.h>

#include "base/check.h"
#include "crypto/crypto.h"

namespace detente::crypto {
namespace {

const EVP_MD* FetchedSha256() {
  // Never freed: the fetched algorithm lives for the whole process by design.
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    // No SHA-256 in the default provider means a broken OpenSSL install: crash.
    DETENTE_CHECK(fetched != nullptr);
    return fetched;
  }();
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

CtxPtr NewCtx() {
  CtxPtr ctx(EVP_MD_CTX_new());
  DETENTE_CHECK(ctx != nullptr);  // allocation failure: crash (STYLE.md)
  return ctx;
}

// Initialising a context that already holds SHA-256 state re-uses its provider context, so
// this is cheap on every call after the first.
void InitCtx(EVP_MD_CTX* ctx) {
  DETENTE_CHECK(EVP_DigestInit_ex2(ctx, FetchedSha256(), nullptr) == 1);
}

void UpdateCtx(EVP_MD_CTX* ctx, ByteView data) {
  if (data.empty()) return;
  DETENTE_CHECK(EVP_DigestUpdate(ctx, data.data(), data.size()) == 1);
}

Digest FinalCtx(EVP_MD_CTX* ctx) {
  Digest out;
  unsigned int len = 0;
  DETENTE_CHECK(EVP_DigestFinal_ex(ctx, out.data(), &len) == 1);
  DETENTE_CHECK(len == kSha256Size);
  return out;
}

// The calling thread's context for one-shot hashing; freed when the thread exits.
EVP_MD_CTX* ThreadCtx() {
  thread_local CtxPtr ctx = NewCtx();
  return ctx.get();
}

}  // namespace

Digest Sha256(ByteView data) {
  EVP_MD_CTX* ctx = ThreadCtx();
  InitCtx(ctx);
  UpdateCtx(ctx, data);
  return FinalCtx(ctx);
}

Digest Sha256Concat(std::initializer_list<ByteView> parts) {
  EVP_MD_CTX* ctx = ThreadCtx();
  InitCtx(ctx);
  for (ByteView part : parts) UpdateCtx(ctx, part);
  return FinalCtx(ctx);
}

struct Sha256Hasher::Impl {
  CtxPtr ctx = NewCtx();
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) { InitCtx(impl_->ctx.get()); }

Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(ByteView data) { UpdateCtx(impl_->ctx.get(), data); }

Digest Sha256Hasher::Finish() {
  Digest d = FinalCtx(impl_->ctx.get());
  InitCtx(impl_->ctx.get());
  return d;
}

}  // namespace detente::crypto
