#!/usr/bin/env bash
# Builds the in-guest test programs, static, into build/guest/ (or OUTDIR).
#   tests/guest/build.sh [OUTDIR]
# smoke, bench, randio: gcc -static -O2 -pthread (Debian's gcc and libc6-dev; rebuilt when smoke.c is newer).
set -euo pipefail
die() { echo "guest-build: error: $*" >&2; exit 1; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/build/guest}"
CC="${CC:-gcc}"
command -v "$CC" >/dev/null 2>&1 || die "'$CC' not found (apt-get install gcc libc6-dev)"
mkdir -p "$OUT" || die "cannot create $OUT"

build() { # NAME SOURCE
    local name=$1 src=$2 out="$OUT/$1"
    if [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ]; then
        echo "guest-build: $out is up to date"
        return
    fi
    "$CC" -static -O2 -pthread -Wall -Wextra -Wno-unused-parameter -o "$out.tmp" "$src" \
        || die "compiling $src failed (a static build needs libc6-dev)"
    mv "$out.tmp" "$out"
    echo "guest-build: $out ($(stat -c %s "$out") bytes)"
}

build smoke "$HERE/smoke.c"
build bench "$HERE/bench.c"
build randio "$HERE/randio.c"
build smp "$HERE/smp.c"
