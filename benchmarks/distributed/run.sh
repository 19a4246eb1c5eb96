#!/usr/bin/env bash
# Gen.Distributed's benchmarks under Open MPI, 2 ranks on this machine (benchmarks/README.md, "Distributed"):
#
#   bash benchmarks/distributed/run.sh          about 3 minutes on 2 cores; artifacts in benchmarks/artifacts
#   bash benchmarks/distributed/run.sh --dry    seconds: proves everything runs
#
# Builds benchmarks/distributed/allreduce.c with mpicc (Debian's libopenmpi-dev) and Gen.Benchmarks, then times
# MPI_Allreduce from C and through MpiCommunicator from 4 KB to 256 MB, alternating C, .NET, C, .NET (drift over minutes
# then hits both), into allreduce.jsonl; then, at 16M parameters, the all-reduce, the optimizer step and
# DataParallel.Step plain and sharded, timed in turn, into distributed.json. `Gen.Benchmarks --report` renders both
# (benchmarks/run.sh runs this script and the report). Traffic stays on this machine: shared memory, TCP on loopback.
# ARTIFACTS=dir puts the artifacts elsewhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
command="bash benchmarks/distributed/run.sh${*:+ $*}"
dry=()
case "${1:-}" in
  --dry) dry=(--dry) ;;
  "") ;;
  *) echo "unknown argument: $1 (expected --dry)" >&2; exit 2 ;;
esac

for tool in mpirun mpicc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "no $tool on PATH: install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev)" >&2
    exit 1
  fi
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
artifacts="${ARTIFACTS:-benchmarks/artifacts}"
mkdir -p "$artifacts"
rm -f "$artifacts/allreduce.jsonl" "$artifacts/distributed.json"
mpi=(mpirun --allow-run-as-root --mca btl self,vader,tcp --mca btl_tcp_if_include lo -np 2)
bench=(dotnet benchmarks/Gen.Benchmarks/bin/Release/net10.0/Gen.Benchmarks.dll --artifacts "$artifacts")

echo "=== Build" 
mpicc -O2 -o "$artifacts/allreduce" benchmarks/distributed/allreduce.c
dotnet build benchmarks/Gen.Benchmarks -c Release --nologo -v q

for round in 1 2 3 4 5; do
  echo "=== All-reduce, round $round: C"
  "${mpi[@]}" "$artifacts/allreduce" ${dry:+dry} | tee -a "$artifacts/allreduce.jsonl"
  echo "=== All-reduce, round $round: Gen.Distributed"
  "${mpi[@]}" "${bench[@]}" "${dry[@]}" --distributed allreduce
done

echo "=== DataParallel step at 16M parameters"
"${mpi[@]}" "${bench[@]}" "${dry[@]}" --distributed step --command "$command"
