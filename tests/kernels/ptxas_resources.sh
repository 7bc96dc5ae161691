#!/usr/bin/env bash
# The CUDA path kernels' resources as ptxas reports them for sm_90: every
# kernel specialised to normal or Student-t innovations and 1-4 states fits
# 64 registers with no stack and no spills; no path kernel spills.
#   ptxas_resources.sh NVCC SOURCE_DIR
set -euo pipefail
nvcc="$1" src="$2"
report="$("$nvcc" -std=c++17 -O3 -arch=sm_90 --expt-relaxed-constexpr -Xptxas -v \
  -I"$src/include" -I"$src/host" -I"$src/kernels" -I/usr/include/eigen3 \
  -c "$src/kernels/cuda_backend.cu" -o /dev/null 2>&1 | grep -E 'Compiling entry|Used|spill' | paste - - -)"
kernels="$(grep 'path_chunk_kernel' <<<"$report" || true)"
[[ -n "$kernels" ]] || { echo "no path_chunk_kernel in the ptxas report" >&2; exit 1; }
status=0
while IFS= read -r line; do
  class="$(sed -E 's/.*OneByOneELi(-?[0-9n]+)ELi(-?[0-9n]+)E.*/states=\1 family=\2/' <<<"$line")"
  regs="$(sed -E 's/.*Used ([0-9]+) registers.*/\1/' <<<"$line")"
  stack="$(sed -E 's/.* ([0-9]+) bytes stack frame.*/\1/' <<<"$line")"
  spills="$(sed -E 's/.* ([0-9]+) bytes spill stores.*/\1/' <<<"$line")"
  echo "$class: $regs registers, $stack bytes stack, $spills bytes spilled"
  if [[ "$spills" != 0 ]]; then echo "  spills" >&2; status=1; fi
  if [[ "$class" != *"states=0"* ]] && { ((regs > 64)) || [[ "$stack" != 0 ]]; }; then
    echo "  a specialised path kernel over 64 registers or with a stack" >&2
    status=1
  fi
done <<<"$kernels"
exit "$status"
