#!/usr/bin/env bash
# Fetch Debian's current stock amd64 kernel the way a user would, and extract its ELF.
#
#   tools/fetch-kernel.sh [OUTDIR [METAPACKAGE]]   (default: <repo>/build/debian linux-image-amd64)
#
# METAPACKAGE names another flavour, e.g. linux-image-cloud-amd64 (Debian's cloud kernel: a PV
# domU kernel without dom0 support, LZ4 payload) into build/cloud.
# 1. `apt-get download METAPACKAGE` (`apt-get update` first if apt
#    does not know it yet, which needs root);
# 2. resolve its dependency to the real package linux-image-<abi>-<flavour> that the archive
#    serves today, `apt-get download` it and `dpkg-deb -x` it into OUTDIR;
# 3. run tools/BzImage on OUTDIR/boot/vmlinuz-* to write OUTDIR/vmlinux (the ELF).
# Idempotent: steps whose result is already there are skipped.
set -euo pipefail

die() { echo "fetch-kernel: error: $*" >&2; exit 1; }
log() { echo "fetch-kernel: $*"; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/build/debian}"
META_PKG="${2:-linux-image-amd64}"
FLAVOUR="${META_PKG#linux-image-}"            # amd64, cloud-amd64, rt-amd64, ...
mkdir -p "$OUT" || die "cannot create $OUT"
OUT="$(cd "$OUT" && pwd)"
DEBS="$OUT/debs"
VMLINUX="$OUT/vmlinux"

for tool in apt-get dpkg-deb dotnet; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (need a Debian system with the .NET SDK)"
done

is_elf() { [ -s "$1" ] && [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; }

find_vmlinuz() { ls -1 "$OUT"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true; }

VMLINUZ="$(find_vmlinuz)"
if [ -n "$VMLINUZ" ] && is_elf "$VMLINUX"; then
    log "already done"
    [ -f "$OUT/PACKAGE" ] && log "package: $(cat "$OUT/PACKAGE")"
    log "bzImage: $VMLINUZ"
    log "vmlinux: $VMLINUX ($(stat -c %s "$VMLINUX") bytes)"
    exit 0
fi

if [ -z "$VMLINUZ" ]; then
    mkdir -p "$DEBS"
    cd "$DEBS"

    # apt-get download of the metapackage; refresh the lists once if apt does not know it.
    download() {
        apt-get download "$@" >"$DEBS/apt.log" 2>&1
    }
    if ! ls "${META_PKG}"_*.deb >/dev/null 2>&1; then
        if ! download "$META_PKG"; then
            log "apt does not know $META_PKG yet: running apt-get update"
            if [ "$(id -u)" -ne 0 ]; then
                die "apt-get update needs root (run as root, or run 'apt-get update' first)"
            fi
            apt-get update >"$DEBS/apt-update.log" 2>&1 || die "apt-get update failed (see $DEBS/apt-update.log)"
            download "$META_PKG" || die "apt-get download $META_PKG failed: $(tail -n 1 "$DEBS/apt.log")"
        fi
    fi
    META="$(ls -1 "${META_PKG}"_*.deb | sort -V | tail -n 1)"
    [ -n "$META" ] || die "no $META_PKG .deb downloaded"

    # Depends: linux-image-6.1.0-NN-amd64 (= 6.1.x-y)
    DEPENDS="$(dpkg-deb -f "$META" Depends)" || die "cannot read Depends of $META"
    PKG="$(printf '%s\n' "$DEPENDS" | tr ',|' '\n\n' | sed -e 's/^ *//' -e 's/ .*//' \
           | grep -E "^linux-image-[0-9][0-9.]*-[0-9]+-${FLAVOUR}\$" | head -n 1 || true)"
    [ -n "$PKG" ] || die "cannot find the real kernel package in '$DEPENDS' (from $META)"
    log "metapackage $META depends on $PKG"

    if ! ls "${PKG}"_*.deb >/dev/null 2>&1; then
        download "$PKG" || die "apt-get download $PKG failed: $(tail -n 1 "$DEBS/apt.log")"
    fi
    DEB="$(ls -1 "${PKG}"_*.deb | sort -V | tail -n 1)"
    [ -n "$DEB" ] || die "no $PKG .deb downloaded"
    log "extracting $DEB into $OUT"
    dpkg-deb -x "$DEB" "$OUT" || die "dpkg-deb -x $DEB failed"
    echo "$PKG $(dpkg-deb -f "$DEB" Version)" >"$OUT/PACKAGE"

    VMLINUZ="$(find_vmlinuz)"
    [ -n "$VMLINUZ" ] || die "$DEB contains no boot/vmlinuz-*"
fi

[ -f "$OUT/PACKAGE" ] && log "package: $(cat "$OUT/PACKAGE")"
log "bzImage: $VMLINUZ"

if ! is_elf "$VMLINUX"; then
    rm -f "$VMLINUX.tmp"
    if ! dotnet run --project "$ROOT/tools/BzImage" -v q -- "$VMLINUZ" "$VMLINUX.tmp"; then
        # An LZ4 payload (Debian's cloud kernel) where tools/BzImage lacks it: Debian's lz4.
        command -v lz4 >/dev/null 2>&1 || die "extracting the ELF from $VMLINUZ failed (for an LZ4 payload: apt-get install lz4)"
        setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$VMLINUZ" | tr -d ' ')
        poff=$(od -An -tu4 -j $((0x248)) -N4 "$VMLINUZ" | tr -d ' ')
        plen=$(od -An -tu4 -j $((0x24c)) -N4 "$VMLINUZ" | tr -d ' ')
        log "tools/BzImage failed: trying the payload (${plen} bytes) with lz4 -d"
        # Without the last 4 bytes: the decompressed size Linux's build appends (size_append).
        (set +o pipefail   # tail ends by SIGPIPE when head has its bytes
         tail -c +$(( (setup_sects + 1) * 512 + poff + 1 )) "$VMLINUZ" | head -c $(( plen - 4 )) | lz4 -d -c >"$VMLINUX.tmp") \
            || die "extracting the ELF from $VMLINUZ failed"
    fi
    is_elf "$VMLINUX.tmp" || die "tools/BzImage wrote no ELF"
    mv "$VMLINUX.tmp" "$VMLINUX"
fi
log "vmlinux: $VMLINUX ($(stat -c %s "$VMLINUX") bytes)"
SYSMAP="$(ls -1 "$OUT"/boot/System.map-* 2>/dev/null | head -n 1 || true)"
[ -n "$SYSMAP" ] && log "System.map: $SYSMAP"
exit 0
