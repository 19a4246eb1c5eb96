#!/usr/bin/env bash
# Runs every benchmark and writes benchmarks/RESULTS.md (see benchmarks/README.md):
#
#   bash benchmarks/run.sh                    full run, about 40 minutes on 2 cores
#   bash benchmarks/run.sh --quick            short iterations: checks the pipeline, rough figures
#   bash benchmarks/run.sh --dry              seconds: proves everything runs; writes benchmarks/artifacts/RESULTS.md instead
#   ... --provisional "why"                   marks RESULTS.md provisional, with the reason
set -euo pipefail
cd "$(dirname "$0")/.."
command="bash benchmarks/run.sh${*:+ $*}"
mode=()
report=(--out benchmarks/RESULTS.md)
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=(--quick) ;;
    --dry) mode=(--dry); report=(--out benchmarks/artifacts/RESULTS.md) ;;
    --provisional) report+=(--provisional "$2"); shift ;;
    *) echo "unknown argument: $1 (expected --quick, --dry or --provisional NOTE)" >&2; exit 2 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
artifacts=benchmarks/artifacts
rm -rf "$artifacts" && mkdir -p "$artifacts"
bench() { dotnet run --no-build -c Release --project benchmarks/Gen.Benchmarks -- --artifacts "$artifacts" "$@"; }

echo "=== Build" && dotnet build benchmarks/Gen.Benchmarks -c Release --nologo -v q
echo "=== BenchmarkDotNet" && bench "${mode[@]}"
echo "=== Interleaved" && bench "${mode[@]}" --interleaved
# An AVX2 PC's kernels: AVX-512 disabled leaves 256-bit registers, 16 of them (DOTNET_EnableAVX512F is not read by .NET 10).
echo "=== Interleaved, 256-bit (AVX-512 off)" && DOTNET_EnableAVX512=0 DOTNET_PreferredVectorBitWidth=256 bench "${mode[@]}" --interleaved --width 256
# The Vector<T> kernels (Unity's) against the Vector256 kernels: Vector<T> is 256-bit on x64 whatever the preferred width.
echo "=== Portable (256-bit)" && DOTNET_PreferredVectorBitWidth=256 bench "${mode[@]}" --portable
# 16-bit state and the fused clip at 16M against their memory roofs (run alone: bench --lean --command "...").
echo "=== Lean memory" && bench "${mode[@]}" --lean --command "$command"
# Muon's matrix products, orthogonalization and step on one thread, and PyTorch's torch.mm on the same shapes with the BLAS
# Debian's torch loads and with Debian's OpenBLAS (unpacked, not installed). benchmarks/run-matrix.sh runs these alone.
bash benchmarks/peers/torch_matmul.sh "$artifacts" "${mode[@]}"
openblas="$artifacts/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"
echo "=== Matrix products (Muon)" && GEN_OPENBLAS="$([ -e "$openblas" ] && echo "$openblas")" bench "${mode[@]}" --matrix --command "$command"
# Debian's Mono 6.8, which stands in for Unity's (tests/Gen.Mono.Runner), beside the same program on .NET.
echo "=== Mono"
if command -v mono >/dev/null 2>&1; then
  dotnet build tests/Gen.Mono.Runner -c Release --nologo -v q
  bench_mode=(); [ "${mode[*]:-}" = "--dry" ] && bench_mode=(--dry)
  mono --version | head -1 > "$artifacts/mono-bench.txt"
  mono tests/Gen.Mono.Runner/bin/Release/netstandard2.1/Gen.Mono.Runner.dll --bench "${bench_mode[@]}" >> "$artifacts/mono-bench.txt"
  dotnet tests/Gen.Mono.Runner/bin/Release/net10.0/Gen.Mono.Runner.dll --bench "${bench_mode[@]}" > "$artifacts/dotnet-bench.txt"
else
  echo "no mono on PATH (apt-get install mono-devel): RESULTS.md will have no Mono rows."
fi
# Gen.Distributed under Open MPI at 2 ranks: the all-reduce from C and from .NET, and DataParallel's step at 16M
# (benchmarks/distributed/run.sh; it needs mpirun and mpicc: Debian's openmpi-bin and libopenmpi-dev).
echo "=== Distributed (Open MPI)"
if command -v mpirun >/dev/null 2>&1 && command -v mpicc >/dev/null 2>&1; then
  dist_mode=(); [ "${mode[*]:-}" = "--dry" ] && dist_mode=(--dry)
  ARTIFACTS="$artifacts" bash benchmarks/distributed/run.sh "${dist_mode[@]}"
else
  echo "no mpirun or mpicc (apt-get install openmpi-bin libopenmpi-dev): RESULTS.md will have no distributed rows."
fi
echo "=== PyTorch"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 benchmarks/peers/torch_optim.py "${mode[@]}" --out "$artifacts/torch.json"
else
  echo "/usr/bin/python3 has no torch (apt-get install python3-torch): RESULTS.md will have no PyTorch rows."
fi
# The report judges the targets and fails the run if PyTorch and the generated optimizers disagree on the same data.
echo "=== Report" && bench --report --command "$command" "${report[@]}"
