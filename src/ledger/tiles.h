// ledger/tiles.h: C2SP tlog-tiles: tile paths, hash tiles and entry bundles.
// Format: docs/formats/ledger.md.
//
// A hash tile at level L, index N holds up to 256 consecutive hashes of tree level 8L, the
// nodes 256N..256N+W-1 (W = 256 for a full tile, 1..255 for a partial one, served with the
// suffix ".p/W"). An entry bundle holds up to 256 entries, each as uint16 big-endian length
// plus bytes. Paths: tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>], N written in 3-digit
// groups, all but the last prefixed with 'x' (1234067 -> x001/x234/067).
//
// Thread-safety: values and free functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/merkle.h"

namespace detente::ledger {

inline constexpr int kTileHeight = 8;
inline constexpr uint32_t kTileWidth = 1u << kTileHeight;  // 256
inline constexpr int kMaxTileLevel = 63;                    // C2SP: L is 0..63
inline constexpr size_t kMaxEntrySize = 0xFFFF;             // uint16 length prefix

struct TileCoord {
  bool entries = false;  // an entry bundle rather than a hash tile
  int level = 0;         // hash tiles only
  uint64_t index = 0;
  uint32_t width = kTileWidth;  // 1..256; 256 = full (no .p/ suffix)
  friend bool operator==(const TileCoord&, const TileCoord&) = default;
};

// "x001/x234/067" for 1234067; "000" for 0.
std::string FormatTileIndex(uint64_t index);
std::string FormatTilePath(const TileCoord& coord);
// Strict inverse of FormatTilePath (no leading zeros in L or W, 3-digit groups, x prefixes,
// W in 1..255). Errors: kInvalidArgument naming the bad element.
Result<TileCoord> ParseTilePath(std::string_view path);

// The hash tile coordinates at level `level` for a tree of `size` leaves: the tile holding
// node `index` of tree level 8*level, and its width at that size (0 if not yet started).
// Tile index of the node at tree level `node_level` index `node_index` within tile level
// `node_level / 8`.
uint32_t TileWidthAt(int level, uint64_t tile_index, uint64_t tree_size);

// Appends `entry` to a bundle. REQUIRES: entry.size() <= kMaxEntrySize.
void AppendBundleEntry(Bytes* bundle, base::ByteView entry);
// Splits a bundle into its entries (views into `bundle`). Errors: kDataLoss / kInvalidArgument
// ("entry bundle: entry 3 truncated") — the code is `error_code`.
Result<std::vector<base::ByteView>> ParseEntryBundle(
    base::ByteView bundle, base::StatusCode error_code = base::StatusCode::kInvalidArgument);

// The hashes of the levels above a tile's bottom row, within the tile: for a bottom row of W
// hashes, level k (1..7) holds floor(W / 2^k) complete nodes; concatenated, level 1 first.
// (Level 8, the tile's root for a full tile, is the next tile level's bottom row.)
Bytes TileInnerHashes(std::span<const Hash> bottom);
// Offset (in hashes) of in-tile level k (1..7) inside TileInnerHashes(bottom of width W).
size_t TileInnerOffset(uint32_t width, int k);

// Reads hash i of a packed run of hashes. REQUIRES: (i + 1) * 32 <= bytes.size().
inline Hash HashAt(base::ByteView bytes, size_t i) {
  Hash h;
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(i * kHashSize),
            bytes.begin() + static_cast<std::ptrdiff_t>((i + 1) * kHashSize), h.begin());
  return h;
}

}  // namespace detente::ledger
