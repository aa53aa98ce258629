// match/index.h: the exact-value index: (path id, normalised value) -> indicator numbers.
//
// An open-addressing table of 8-byte slots {32-bit hash tag, 32-bit key number} (XXH3-64 of the
// normalised value, seeded with the path and value class), at most 3/4 full. Each key's bytes are
// stored once in an arena ([u32 path][u8 class][payload]) so that a tag hit is confirmed against
// the stored value, never trusted. Most keys name one indicator (4 bytes); keys named by several
// spill into an overflow list.
//
// After Compact(), a blocked Bloom filter (one 64-bit word per probe, three bits per key, about
// 16 bits per key: 2 MiB at a million keys) answers most lookups of absent values without
// touching the slot table, whose cache misses dominate a large index's lookups; the filter is
// small enough to stay in the caches. Add() after Compact() drops the filter until the next one.
//
// Normalisation (docs/match-fields.md): strings compare as bytes (no case folding, as the STIX
// '=' operator); an int and an integral float are the same number; bools are their own class.
//
// Thread-safety: Add/Build are single-threaded; after Build, Lookup may be called concurrently.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "match/observation.h"

namespace detente::match {

// The class and payload bytes of a value as the index keys it. Returns false for null.
struct KeyBytes {
  uint8_t cls = 0;      // 0 string, 1 integral number, 2 bool, 3 other number
  uint8_t buf_len = 0;  // payload is buf[0, buf_len) when non-zero, else ext
  char buf[8];
  std::string_view ext;
  std::string_view payload() const { return buf_len ? std::string_view(buf, buf_len) : ext; }
};
bool MakeKey(const Value& v, KeyBytes* key);

// A prefetch the compiler keeps: g++ 12 treats __builtin_prefetch as free of side effects, so a
// function that only prefetches is found "const" and calls to it are deleted as dead code.
inline void PrefetchLine(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

class EqualityIndex {
 public:
  // Adds (path, value) -> indicator. Adding the same pair twice is harmless.
  // Errors: kResourceExhausted when the arena would pass 4 GiB.
  base::Status Add(uint32_t path, const Value& value, uint32_t indicator);

  static uint64_t Hash(uint32_t path, const KeyBytes& key);
  // Brings what Lookup reads first for `hash` towards the cache (the caller batches an event's
  // lookups): the filter word when there is a filter, else the slot.
  void Prefetch(uint64_t hash) const {
    if (filter_words_ != 0) {
      PrefetchLine(filter_.get() + FilterWord(hash));
    } else if (!slots_.empty()) {
      PrefetchLine(slots_.data() + (hash & mask_));
    }
  }
  // Whether Lookup(hash, ...) would go past the filter to the slot table (always, without a
  // filter); and a hint that starts loading that slot, for a caller that has other work to do
  // before its lookups (the filter words being in the caches by then, after Prefetch).
  bool PassesFilter(uint64_t hash) const {
    if (filter_words_ == 0) return true;
    const uint64_t bits = FilterBits(hash);
    return (filter_[FilterWord(hash)] & bits) == bits;
  }
  void PrefetchSlot(uint64_t hash) const {
    if (!slots_.empty()) PrefetchLine(slots_.data() + (hash & mask_));
  }
  // Calls fn(indicator) for each indicator keyed by (path, key). `hash` is Hash(path, key).
  template <typename F>
  void Lookup(uint64_t hash, uint32_t path, const KeyBytes& key, F&& fn) const;

  size_t keys() const { return key_offsets_.empty() ? 0 : key_offsets_.size() - 1; }
  size_t MemoryBytes() const;
  // Releases build-time slack (vectors shrink to size) and builds the filter.
  void Compact();

 private:
  struct Slot {
    uint32_t tag;
    uint32_t key;  // kEmpty when free
  };
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr uint32_t kOverflowBit = 0x80000000u;

  bool KeyEquals(uint32_t k, uint32_t path, const KeyBytes& key) const;
  uint64_t StoredHash(uint32_t k) const;  // Hash() of stored key k
  // The filter word and bits of a hash: bits of a remixed hash, independent of the slot index
  // (low bits of `hash`) and the tag (high bits).
  static uint64_t FilterMix(uint64_t hash) { return hash * 0xD6E8FEB86659FD93ull; }
  size_t FilterWord(uint64_t hash) const {
    return static_cast<size_t>(FilterMix(hash) >> filter_shift_);
  }
  static uint64_t FilterBits(uint64_t hash) {
    uint64_t m = FilterMix(hash);
    return uint64_t{1} << (m & 63) | uint64_t{1} << ((m >> 6) & 63) |
           uint64_t{1} << ((m >> 12) & 63);
  }
  void Grow();
  template <typename F>
  void ForEachIndicator(uint32_t k, F&& fn) const {
    uint32_t v = key_indicator_[k];
    if ((v & kOverflowBit) == 0) {
      fn(v);
    } else {
      for (uint32_t ind : overflow_[v & ~kOverflowBit]) fn(ind);
    }
  }

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  std::vector<uint32_t> key_offsets_;  // keys()+1 offsets into arena_
  std::string arena_;
  std::vector<uint32_t> key_indicator_;  // indicator, or kOverflowBit | overflow index
  std::vector<std::vector<uint32_t>> overflow_;
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };
  // filter_words_ == 0: no filter (before Compact, or after a later Add). A filter of 2 MiB or
  // more sits on transparent huge pages: its random probes would otherwise miss the TLB too
  // (and a software prefetch that misses the TLB may be dropped).
  std::unique_ptr<uint64_t[], Free> filter_;
  size_t filter_words_ = 0;
  int filter_shift_ = 64;  // 64 - log2(filter_words_)
};

template <typename F>
void EqualityIndex::Lookup(uint64_t hash, uint32_t path, const KeyBytes& key, F&& fn) const {
  if (slots_.empty()) return;
  if (filter_words_ != 0) {
    const uint64_t bits = FilterBits(hash);
    if ((filter_[FilterWord(hash)] & bits) != bits) return;  // certainly absent
  }
  uint32_t tag = static_cast<uint32_t>(hash >> 32);
  for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.key == kEmpty) return;
    if (s.tag == tag && KeyEquals(s.key, path, key)) {
      ForEachIndicator(s.key, fn);
      return;
    }
  }
}

}  // namespace detente::match
