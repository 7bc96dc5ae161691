// A store's committed folds with their values, in memory: what each MPI
// rank hands rank 0 at the end of a sharded run, so that the merge writes
// those folds from memory instead of reading them back, one-fold chunk by
// one-fold chunk, from every rank's shard store (the reads were most of
// rank 0's serial tail: docs/HDF5_LAYOUT.md, Chunking).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace arabica {

/// The committed folds of one store (one series) and, by variable, the
/// values of those folds: the native form of the stored type, the folds in
/// the order of `folds` along the variable's fold axis, every other axis
/// whole (HDF5's row-major order). Only fixed-size types; the stored paths
/// are not carried (they can be large: the merge reads them from the shard).
struct CommittedValues {
  std::vector<int> folds;  // ascending
  std::map<std::string, std::vector<unsigned char>> variables;

  std::size_t bytes() const;
};

/// The byte form of one rank's stores (one per series, in the universe's
/// order) sent to rank 0, and back. from_bytes throws Error on bytes that
/// are not to_bytes' (a truncated or foreign message).
std::vector<char> to_bytes(const std::vector<CommittedValues>& stores);
std::vector<CommittedValues> from_bytes(const std::vector<char>& bytes);

}  // namespace arabica
