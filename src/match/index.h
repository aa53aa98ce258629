// match/index.h: the exact-value index: (path id, normalised value) -> indicator numbers.
//
// An open-addressing table of 8-byte slots {32-bit hash tag, 32-bit key number} (XXH3-64 of the
// normalised value, seeded with the path and value class), at most 3/4 full. Each key's bytes are
// stored once in an arena ([u32 path][u8 class][payload]) so that a tag hit is confirmed against
// the stored value, never trusted. Most keys name one indicator (4 bytes); keys named by several
// spill into an overflow list.
//
// Normalisation (docs/match-fields.md): strings compare as bytes (no case folding, as the STIX
// '=' operator); an int and an integral float are the same number; bools are their own class.
//
// Thread-safety: Add/Build are single-threaded; after Build, Lookup may be called concurrently.
#pragma once

#include <cstdint>
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

class EqualityIndex {
 public:
  // Adds (path, value) -> indicator. Adding the same pair twice is harmless.
  // Errors: kResourceExhausted when the arena would pass 4 GiB.
  base::Status Add(uint32_t path, const Value& value, uint32_t indicator);

  static uint64_t Hash(uint32_t path, const KeyBytes& key);
  // Brings the slot for `hash` towards the cache (the caller batches an event's lookups).
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & mask_]);
  }
  // Calls fn(indicator) for each indicator keyed by (path, key). `hash` is Hash(path, key).
  template <typename F>
  void Lookup(uint64_t hash, uint32_t path, const KeyBytes& key, F&& fn) const;

  size_t keys() const { return key_offsets_.empty() ? 0 : key_offsets_.size() - 1; }
  size_t MemoryBytes() const;
  // Releases build-time slack (vectors shrink to size).
  void Compact();

 private:
  struct Slot {
    uint32_t tag;
    uint32_t key;  // kEmpty when free
  };
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr uint32_t kOverflowBit = 0x80000000u;

  bool KeyEquals(uint32_t k, uint32_t path, const KeyBytes& key) const;
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
};

template <typename F>
void EqualityIndex::Lookup(uint64_t hash, uint32_t path, const KeyBytes& key, F&& fn) const {
  if (slots_.empty()) return;
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
