// How a store's variables along `cutoff` are chunked, and the copy that
// changes it: a writer commits into one-fold chunks (so a commit never
// rewrites a chunk that holds a committed fold), a finished store is read
// from chunks of many folds, compressed (docs/HDF5_LAYOUT.md, "Chunking").
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "arabica/backfill_store.hpp"

namespace arabica {

/// Group attribute of a store chunked for reading: JSON {"version": 2,
/// "group": {"attrs", "other", "order"}, "variables": [{"name", "dims",
/// "scale" (a dimension scale's NAME), "attrs", "other", "order"}]}, every
/// variable in creation order, where "attrs" holds an object's text
/// attributes, "other" the names of the rest (read from the object) and
/// "order", where they are not the texts then the rest, every name in
/// creation order; so that a reader gets the group's metadata in one read
/// (python/arabica/store.py). Written by copy_rechunked for reading only,
/// after every other attribute of the group. Version 1 had neither "group"
/// nor "order" (and its readers ignore them).
inline constexpr char kReadingIndexAttribute[] = "_arabica_index";
inline constexpr int kReadingIndexVersion = 2;

/// Largest chunk: HDF5's default chunk cache holds one whole.
inline constexpr hsize_t kMaxChunkBytes = hsize_t{1} << 20;

/// Items per chunk when `count` items of `item_bytes` each are split into
/// the fewest equal chunks of at most kMaxChunkBytes (none mostly empty);
/// at least 1. Computed in 128 bits: no product wraps.
hsize_t items_per_chunk(hsize_t count, hsize_t item_bytes);

/// The chunk of a variable of `shape` (elements of `type_size` bytes) whose
/// folds run along `fold_axis`. per_fold: one fold, the axis after it split
/// by items_per_chunk, every other axis whole (all models of the fold: a
/// fold's models are written together, and committed together).
/// for_reading: every axis whole but the folds, as many of them as fit in
/// kMaxChunkBytes; a variable whose fold alone is larger keeps per_fold.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& shape, std::size_t fold_axis,
                                 std::size_t type_size, StoreChunks chunks);

/// Sets `chunk` and the filters on a dataset creation property list:
/// shuffle and deflate (level 1) when `compress`, then the Fletcher32
/// checksum over the bytes as stored. Errors name `file` and `what`.
void set_chunk_filters(hid_t dcpl, const std::vector<hsize_t>& chunk, bool compress,
                       const std::string& file, const std::string& what);

/// Where a copy takes some folds of a group's variables from instead: the
/// group of the same name in another store laid out alike (a shard), for
/// the folds it committed (ascending).
struct FoldSource {
  hid_t group = -1;  // open for the copy's duration
  std::vector<int> folds;
  /// Where given: some variables' values of `folds` already in memory
  /// (CommittedValues::variables' form), taken instead of reading `group`'s.
  const std::map<std::string, std::vector<unsigned char>>* values = nullptr;
};

/// The folds a copy takes from other stores: per group (its name in the
/// file; "" the root), the sources, the first to list a fold giving it;
/// only for `variables` (the rest, and folds no source lists, come from
/// the copied file).
struct FoldOverlay {
  std::map<std::string, std::vector<FoldSource>> groups;
  std::set<std::string> variables;
};

/// Text attributes by name, in the order they are set.
using TextAttributes = std::vector<std::pair<std::string, std::string>>;

/// Copies everything under `source` (a file's root group) into `target`
/// (the root of a new, empty file): groups, attributes, dimension scales
/// and values, with every variable that runs along an unlimited dimension
/// chunked as `chunks` says. A variable whose chunks do not change is
/// copied chunk by chunk as stored (no decompression). With `overlay`,
/// the folds it lists are read from its sources (a merge of shards written
/// straight in its final chunks). `root_texts`: text attributes set on the
/// copy's root, replacing the copied ones (before its reading index is
/// written, which lists them). Errors name `path`.
void copy_rechunked(hid_t source, hid_t target, const std::string& path, StoreChunks chunks,
                    const FoldOverlay* overlay = nullptr, const TextAttributes& root_texts = {});

}  // namespace arabica
