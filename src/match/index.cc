// match/index.cc: EqualityIndex. Tested by index_test.cc.
#include "match/index.h"

#include "base/check.h"

// Header-only mode: the hash of each probed value is computed inline, without a call into the
// shared library (same function, same values).
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <sys/mman.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace detente::match {

bool MakeKey(const Value& v, KeyBytes* key) {
  switch (v.kind) {
    case ValueKind::kString:
      key->cls = 0;
      key->buf_len = 0;
      key->ext = v.s;
      return true;
    case ValueKind::kInt:
      key->cls = 1;
      std::memcpy(key->buf, &v.i, 8);
      key->buf_len = 8;
      return true;
    case ValueKind::kFloat: {
      key->cls = 1;
      double f = v.f;
      if (std::isnan(f)) return false;
      if (f == std::floor(f) && f >= -9.2e18 && f <= 9.2e18) {
        int64_t i = static_cast<int64_t>(f);
        std::memcpy(key->buf, &i, 8);
      } else {
        key->cls = 3;  // a non-integral number: its own class, keyed by its bits
        std::memcpy(key->buf, &f, 8);
      }
      key->buf_len = 8;
      return true;
    }
    case ValueKind::kBool:
      key->cls = 2;
      key->buf[0] = v.b ? 1 : 0;
      key->buf_len = 1;
      return true;
    case ValueKind::kNull:
      return false;
  }
  return false;
}

uint64_t EqualityIndex::Hash(uint32_t path, const KeyBytes& key) {
  uint64_t seed = (static_cast<uint64_t>(path) << 8) | key.cls;
  std::string_view p = key.payload();
  return XXH3_64bits_withSeed(p.data(), p.size(), seed * 0x9E3779B97F4A7C15ull);
}

bool EqualityIndex::KeyEquals(uint32_t k, uint32_t path, const KeyBytes& key) const {
  uint32_t begin = key_offsets_[k];
  uint32_t end = key_offsets_[k + 1];
  std::string_view payload = key.payload();
  if (end - begin != 5 + payload.size()) return false;
  const char* p = arena_.data() + begin;
  uint32_t stored_path;
  std::memcpy(&stored_path, p, 4);
  return stored_path == path && static_cast<uint8_t>(p[4]) == key.cls &&
         std::memcmp(p + 5, payload.data(), payload.size()) == 0;
}

void EqualityIndex::Grow() {
  size_t new_size = slots_.empty() ? 1024 : slots_.size() * 2;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(new_size, Slot{0, kEmpty});
  mask_ = new_size - 1;
  for (const Slot& s : old) {
    if (s.key == kEmpty) continue;
    // Recompute the hash from the stored key: the tag alone does not give the bucket.
    uint64_t h = StoredHash(s.key);
    uint64_t i = h & mask_;
    while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

uint64_t EqualityIndex::StoredHash(uint32_t k) const {
  uint32_t begin = key_offsets_[k];
  uint32_t end = key_offsets_[k + 1];
  uint32_t path;
  std::memcpy(&path, arena_.data() + begin, 4);
  KeyBytes kb;
  kb.cls = static_cast<uint8_t>(arena_[begin + 4]);
  kb.ext = std::string_view(arena_.data() + begin + 5, end - begin - 5);
  return Hash(path, kb);
}

base::Status EqualityIndex::Add(uint32_t path, const Value& value, uint32_t indicator) {
  if (filter_words_ != 0) {
    filter_.reset();  // stale: Lookup goes to the slots until the next Compact()
    filter_words_ = 0;
    filter_shift_ = 64;
  }
  KeyBytes key;
  if (!MakeKey(value, &key)) return base::OkStatus();
  if ((keys() + 1) * 4 >= slots_.size() * 3) Grow();
  uint64_t h = Hash(path, key);
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  uint64_t i = h & mask_;
  for (;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key == kEmpty) break;
    if (s.tag == tag && KeyEquals(s.key, path, key)) {
      uint32_t& v = key_indicator_[s.key];
      if ((v & kOverflowBit) == 0) {
        if (v == indicator) return base::OkStatus();
        overflow_.push_back({v, indicator});
        v = kOverflowBit | static_cast<uint32_t>(overflow_.size() - 1);
      } else {
        auto& list = overflow_[v & ~kOverflowBit];
        if (list.back() != indicator) list.push_back(indicator);
      }
      return base::OkStatus();
    }
  }
  std::string_view payload = key.payload();
  if (arena_.size() + 5 + payload.size() >= 0xFFFFFFF0u) {
    return base::ResourceExhaustedError("equality index: more than 4 GiB of indicator values");
  }
  if (key_offsets_.empty()) key_offsets_.push_back(0);
  uint32_t k = static_cast<uint32_t>(key_offsets_.size() - 1);
  char head[5];
  std::memcpy(head, &path, 4);
  head[4] = static_cast<char>(key.cls);
  arena_.append(head, 5);
  arena_.append(payload);
  key_offsets_.push_back(static_cast<uint32_t>(arena_.size()));
  key_indicator_.push_back(indicator);
  slots_[i] = Slot{tag, k};
  return base::OkStatus();
}

size_t EqualityIndex::MemoryBytes() const {
  size_t n = slots_.capacity() * sizeof(Slot) + key_offsets_.capacity() * 4 + arena_.capacity() +
             key_indicator_.capacity() * 4 + overflow_.capacity() * sizeof(overflow_[0]) +
             filter_words_ * sizeof(uint64_t);
  for (const auto& v : overflow_) n += v.capacity() * 4;
  return n;
}

void EqualityIndex::Compact() {
  // About 16 filter bits per key, in a power-of-two number (at least two) of 64-bit words.
  const size_t n = keys();
  int log2_words = 1;
  while ((size_t{64} << log2_words) < n * 16) ++log2_words;
  const size_t words = size_t{1} << log2_words;
  const size_t bytes = words * sizeof(uint64_t);
  constexpr size_t kHugePage = size_t{2} << 20;
  void* mem = nullptr;
  if (bytes >= kHugePage) {
    mem = std::aligned_alloc(kHugePage, bytes);  // bytes is a power of two >= kHugePage
#ifdef MADV_HUGEPAGE
    if (mem != nullptr) ::madvise(mem, bytes, MADV_HUGEPAGE);  // a hint; failure is harmless
#endif
  } else {
    mem = std::malloc(bytes);
  }
  DETENTE_CHECK(mem != nullptr);  // out of memory: crash, as for any allocation
  std::memset(mem, 0, bytes);
  filter_.reset(static_cast<uint64_t*>(mem));
  filter_words_ = words;
  filter_shift_ = 64 - log2_words;
  for (uint32_t k = 0; k < n; ++k) {
    uint64_t h = StoredHash(k);
    filter_[FilterWord(h)] |= FilterBits(h);
  }
  key_offsets_.shrink_to_fit();
  arena_.shrink_to_fit();
  key_indicator_.shrink_to_fit();
  overflow_.shrink_to_fit();
}

}  // namespace detente::match
