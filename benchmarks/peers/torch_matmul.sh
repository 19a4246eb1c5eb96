#!/usr/bin/env bash
# PyTorch's torch.mm on Muon's shapes (torch_matmul.py), once with the BLAS Debian's torch loads (libblas.so.3 through the
# alternatives system: the reference BLAS unless an optimized one is installed) and once with Debian's OpenBLAS, unpacked
# under ARTIFACTS/openblas and found through LD_LIBRARY_PATH, so the machine's alternatives stay as they are.
#
#   bash benchmarks/peers/torch_matmul.sh ARTIFACTS [--quick | --dry]
set -euo pipefail
artifacts="$1"; shift
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "/usr/bin/python3 has no torch (apt-get install python3-torch): no PyTorch matrix rows."
  exit 0
fi

echo "=== PyTorch torch.mm, the BLAS libblas.so.3 resolves to"
/usr/bin/python3 benchmarks/peers/torch_matmul.py "$@" --out "$artifacts/torch-matmul.json"

echo "=== PyTorch torch.mm, Debian's OpenBLAS (unpacked, not installed)"
openblas="$artifacts/openblas"
lib="$openblas/usr/lib/x86_64-linux-gnu/openblas-pthread"
if [ ! -e "$lib/libblas.so.3" ]; then
  mkdir -p "$openblas/deb"
  if (cd "$openblas/deb" && apt-get download libopenblas0-pthread >/dev/null 2>&1) && dpkg -x "$openblas"/deb/libopenblas0-pthread_*.deb "$openblas"; then
    echo "unpacked $(ls "$openblas"/deb) into $openblas"
  else
    echo "could not download libopenblas0-pthread (apt-get download): no OpenBLAS row."
    exit 0
  fi
fi

OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH="$(cd "$lib" && pwd)" /usr/bin/python3 benchmarks/peers/torch_matmul.py "$@" --label OpenBLAS --out "$artifacts/torch-matmul-openblas.json"
