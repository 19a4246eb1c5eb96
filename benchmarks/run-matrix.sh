#!/usr/bin/env bash
# Muon's matrix rows alone, and their section of benchmarks/RESULTS.md (benchmarks/README.md, "Matrix products"):
#
#   bash benchmarks/run-matrix.sh             PyTorch 1.13's torch.mm on Muon's shapes with the BLAS Debian's torch loads,
#                                             then with Debian's OpenBLAS; then Gen's products, orthogonalization and steps
#                                             (--matrix), with OpenBLAS's cblas_sgemm timed in turn; about 15 minutes on 2 cores
#   bash benchmarks/run-matrix.sh --quick     fewer repetitions
#   bash benchmarks/run-matrix.sh --dry       seconds, small shapes; writes benchmarks/artifacts/RESULTS.md instead
#
# OpenBLAS is not installed: installing libopenblas0-pthread would repoint the libblas.so.3 alternative for every program
# on the machine. Its package is downloaded (apt-get download) and unpacked (dpkg -x) under benchmarks/artifacts/openblas,
# and only the PyTorch process of its row finds it, through LD_LIBRARY_PATH. bash benchmarks/run.sh runs these rows too.
set -euo pipefail
cd "$(dirname "$0")/.."
command="bash benchmarks/run-matrix.sh${*:+ $*}"
mode=()
out=benchmarks/RESULTS.md
case "${1:-}" in
  "") ;;
  --quick) mode=(--quick) ;;
  --dry) mode=(--dry); out=benchmarks/artifacts/RESULTS.md ;;
  *) echo "unknown argument: $1 (expected --quick or --dry)" >&2; exit 2 ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
artifacts=benchmarks/artifacts
mkdir -p "$artifacts"
bench() { dotnet run --no-build -c Release --project benchmarks/Gen.Benchmarks -- --artifacts "$artifacts" "$@"; }

echo "=== Build" && dotnet build benchmarks/Gen.Benchmarks -c Release --nologo -v q
# PyTorch first: its script unpacks OpenBLAS, whose cblas_sgemm the Gen run then times in turn with Gen's products.
bash benchmarks/peers/torch_matmul.sh "$artifacts" "${mode[@]}"
openblas="$artifacts/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"
[ -e "$openblas" ] && export GEN_OPENBLAS="$openblas"
echo "=== Gen (--matrix)" && bench "${mode[@]}" --matrix --command "$command"
echo "=== Report" && bench --report-matrix --out "$out"
