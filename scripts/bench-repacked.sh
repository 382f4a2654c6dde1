#!/usr/bin/env bash
# Every bzImage payload format Xen 4.17 decodes beyond Debian's xz and lz4 (zstd, lzo, lzma,
# bzip2), with Linux's compression flags, around the cloud kernel's vmlinux: the shim's decoder
# host-compiled against the vmlinux (RepackedKernelTests), then each bzImage booted as a domU
# under QEMU (RepackedBootTests). Prints the decompression time of each (host, and TCG as the
# shim logs it: "kernel: decompressed in N ms"). `make test` runs zstd and lzo only.
#   scripts/bench-repacked.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build >/dev/null
MICROXEN_REPACK_ALL=1 dotnet test tests/Microxen.Tests --filter "FullyQualifiedName~RepackedKernelTests|FullyQualifiedName~RepackedBootTests" \
    --logger "console;verbosity=detailed" 2>&1 | grep -a "(host)\|decompressed in\|payload of\|Passed \|Failed \|Passed!\|Failed!"
