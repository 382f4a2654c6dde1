#!/usr/bin/env bash
# Fuzzes the host-compiled copies of the shim's parsers of untrusted input (tools/Fuzz) with
# AFL++ (Debian's afl++) through SharpFuzz: each target for SECONDS (default 10), from its seed
# corpus tools/Fuzz/corpus/TARGET. Findings go to $FUZZ_OUT/out/TARGET (default build/fuzz); a crash or
# a hang fails.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}; shift || true
targets=${*:-bzimage xz gzip lz4 zstd lzma bzip2 lzo elf cmdline multiboot1 multiboot2}
out=${FUZZ_OUT:-build/fuzz}
command -v afl-fuzz >/dev/null || { echo "fuzz: afl-fuzz not found: install Debian's afl++ (make deps)" >&2; exit 2; }
[ -x build/tools/sharpfuzz ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path build/tools >/dev/null
dotnet build tools/Fuzz -v q -nologo -o "$out/bin" >/dev/null
# Instrument the shim's namespaces only (SharpFuzz rewrites the assembly in place).
build/tools/sharpfuzz "$out/bin/Fuzz.dll" Microxen.Decompress Microxen.Domain Microxen.Config Microxen.Boot >/dev/null
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
status=0
mkdir -p "$out/out"
for t in $targets; do
    rm -rf "$out/out/$t"
    afl-fuzz -i "tools/Fuzz/corpus/$t" -o "$out/out/$t" -V "$seconds" -t 5000 -m none -- dotnet "$out/bin/Fuzz.dll" "$t" \
        > "$out/$t.log" 2>&1 || { echo "fuzz: $t: afl-fuzz failed (log: $out/$t.log)"; tail -5 "$out/$t.log"; status=1; continue; }
    stats="$out/out/$t/default/fuzzer_stats"
    execs=$(awk -F': ' '/^execs_done/ {print $2}' "$stats")
    paths=$(awk -F': ' '/^corpus_count/ {print $2}' "$stats")
    crashes=$(find "$out/out/$t/default/crashes" -type f -name 'id:*' | wc -l)
    hangs=$(find "$out/out/$t/default/hangs" -type f -name 'id:*' | wc -l)
    echo "fuzz: $t: ${seconds} s, $execs executions, $paths inputs in the queue, $crashes crashes, $hangs hangs"
    [ "$crashes" = 0 ] && [ "$hangs" = 0 ] || status=1
done
exit $status
