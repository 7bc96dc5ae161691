// The process group a command runs in: MPI ranks when the executable was
// built with MPI and started by mpirun/srun, else this process alone.
#pragma once

#include <vector>

namespace arabica::cli {

struct Distributed {
  int rank = 0;
  int size = 1;
  int local_rank = 0;  // rank among the processes on this node (GPU choice)
  bool mpi = false;

  /// Logical AND of `ok` over all ranks (a collective: every rank calls it).
  bool all_ok(bool ok) const;

  /// Every rank's `mine` on rank 0, by rank (a collective); {} on the
  /// others. Without MPI: {mine}.
  std::vector<std::vector<char>> gather_to_root(std::vector<char> mine) const;
};

/// Starts MPI when launched by an MPI starter (OMPI_COMM_WORLD_SIZE,
/// PMI_SIZE or PMIX_RANK set) and built with it; finalises at exit.
const Distributed& start_distributed(int* argc, char*** argv);
const Distributed& distributed();

}  // namespace arabica::cli
