#include "cli/distributed.hpp"

#include <algorithm>
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

std::vector<std::vector<char>> Distributed::gather_to_root(std::vector<char> mine) const {
  std::vector<std::vector<char>> all;
#if defined(ARABICA_WITH_MPI)
  if (mpi) {
    // Point to point, rank by rank: a message's size is a 64-bit count and
    // its bytes go in pieces an int counts (MPI_Gatherv's offsets are ints).
    constexpr std::size_t kPiece = std::size_t{1} << 30;
    if (rank != 0) {
      unsigned long long size = mine.size();
      MPI_Send(&size, 1, MPI_UNSIGNED_LONG_LONG, 0, 0, MPI_COMM_WORLD);
      for (std::size_t at = 0; at < mine.size(); at += kPiece)
        MPI_Send(mine.data() + at, static_cast<int>(std::min(kPiece, mine.size() - at)), MPI_BYTE, 0, 0,
                 MPI_COMM_WORLD);
      return all;
    }
    all.resize(static_cast<std::size_t>(size));
    all[0] = std::move(mine);
    for (int from = 1; from < size; ++from) {
      unsigned long long bytes = 0;
      MPI_Recv(&bytes, 1, MPI_UNSIGNED_LONG_LONG, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      std::vector<char>& in = all[static_cast<std::size_t>(from)];
      in.resize(static_cast<std::size_t>(bytes));
      for (std::size_t at = 0; at < in.size(); at += kPiece)
        MPI_Recv(in.data() + at, static_cast<int>(std::min(kPiece, in.size() - at)), MPI_BYTE, from, 0,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    return all;
  }
#endif
  all.push_back(std::move(mine));
  return all;
}

}  // namespace arabica::cli
