#!/usr/bin/env bash
# Runs every benchmark and writes benchmarks/RESULTS.md. See benchmarks/README.md.
#
#   bash benchmarks/run.sh                 full run (about 40 minutes on 2 cores)
#   bash benchmarks/run.sh --quick         short iterations: checks the pipeline, rough figures
#   bash benchmarks/run.sh --dry           seconds: proves everything builds and runs; writes
#                                          benchmarks/artifacts/RESULTS.md, not benchmarks/RESULTS.md
#   ... --provisional "why"                marks RESULTS.md provisional, with the reason
#
# Steps: build Gen.Benchmarks (Release); run it (checks, then BenchmarkDotNet, in process); run it
# again with --interleaved (the targets' ratios, rows taking turns within each placement); run
# PyTorch's optimizers with /usr/bin/python3 (Debian's python3-torch); merge both into RESULTS.md
# (the merge also cross-checks the generated optimizers against PyTorch's, and fails if they differ).
set -euo pipefail
cd "$(dirname "$0")/.."
command="bash benchmarks/run.sh${*:+ $*}"

mode=()
provisional=()
out=benchmarks/RESULTS.md
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=(--quick) ;;
    --dry) mode=(--dry); out=benchmarks/artifacts/RESULTS.md ;;
    --provisional) provisional=(--provisional "$2"); shift ;;
    *) echo "unknown argument: $1 (expected --quick, --dry or --provisional NOTE)" >&2; exit 2 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
artifacts=benchmarks/artifacts
rm -rf "$artifacts"
mkdir -p "$artifacts"

echo "=== Build"
dotnet build benchmarks/Gen.Benchmarks -c Release --nologo -v q

echo "=== .NET benchmarks"
dotnet run --no-build -c Release --project benchmarks/Gen.Benchmarks -- "${mode[@]}" --artifacts "$artifacts"

echo "=== .NET, interleaved"
dotnet run --no-build -c Release --project benchmarks/Gen.Benchmarks -- "${mode[@]}" --interleaved --artifacts "$artifacts"

echo "=== PyTorch"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 benchmarks/peers/torch_optim.py "${mode[@]}" --out "$artifacts/torch.json"
else
  echo "/usr/bin/python3 has no torch (apt-get install python3-torch): RESULTS.md will have no PyTorch rows."
fi

echo "=== Merge"
/usr/bin/python3 benchmarks/merge_results.py --artifacts "$artifacts" --out "$out" --command "$command" "${provisional[@]}"
