#include "cli/distributed.hpp"

#include <cstdlib>

#if defined(ARABICA_WITH_MPI)
#include <mpi.h>
#endif

namespace arabica::cli {

namespace {

Distributed group;

#if defined(ARABICA_WITH_MPI)
bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}

void finalize() { MPI_Finalize(); }
#endif

}  // namespace

const Distributed& start_distributed(int* argc, char*** argv) {
#if defined(ARABICA_WITH_MPI)
  if (launched_by_mpi()) {
    MPI_Init(argc, argv);
    std::atexit(finalize);
    group.mpi = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &group.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &group.size);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, group.rank, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &group.local_rank);
    MPI_Comm_free(&node);
  }
#else
  (void)argc, (void)argv;
#endif
  return group;
}

const Distributed& distributed() { return group; }

bool Distributed::all_ok(bool ok) const {
#if defined(ARABICA_WITH_MPI)
  if (mpi) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return all != 0;
  }
#endif
  return ok;
}

}  // namespace arabica::cli
