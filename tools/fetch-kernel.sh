#!/usr/bin/env bash
# Fetch Debian's current stock amd64 kernel the way a user would, and extract its ELF.
#
#   tools/fetch-kernel.sh [OUTDIR [METAPACKAGE]]
#       OUTDIR       default <repo>/build/debian
#       METAPACKAGE  default linux-image-amd64 (Debian's dom0-capable kernel, xz payload);
#                    linux-image-cloud-amd64 is the cloud kernel (XEN_PV without dom0, lz4
#                    payload): `make cloud-kernel` runs `tools/fetch-kernel.sh build/cloud
#                    linux-image-cloud-amd64` and leaves build/cloud/vmlinux.
#
# 1. `apt-get download METAPACKAGE` (`apt-get update` first if apt does not know it yet,
#    which needs root);
# 2. resolve its dependency to the real package linux-image-<abi>-<flavour> (METAPACKAGE is
#    linux-image-<flavour>) that the archive serves today, `apt-get download` it and
#    `dpkg-deb -x` it into OUTDIR;
# 3. run tools/BzImage on OUTDIR/boot/vmlinuz-* to write OUTDIR/vmlinux (the ELF).
# Idempotent: steps whose result is already there are skipped.
set -euo pipefail

die() { echo "fetch-kernel: error: $*" >&2; exit 1; }
log() { echo "fetch-kernel: $*"; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/build/debian}"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT="$(cd "$OUT" && pwd)"
META_PKG="${2:-linux-image-amd64}"
FLAVOUR="${META_PKG#linux-image-}"
[ "$FLAVOUR" != "$META_PKG" ] && [ -n "$FLAVOUR" ] || die "'$META_PKG' is no linux-image-<flavour> metapackage"
DEBS="$OUT/debs"
VMLINUX="$OUT/vmlinux"

for tool in apt-get dpkg-deb dotnet; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (need a Debian system with the .NET SDK)"
done

is_elf() { [ -s "$1" ] && [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; }

find_vmlinuz() { ls -1 "$OUT"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true; }

REAL_PKG_RE="^linux-image-[0-9][0-9.]*-[0-9]+-${FLAVOUR}\$"
if [ -f "$OUT/PACKAGE" ]; then
    HAVE="$(cut -d' ' -f1 "$OUT/PACKAGE")"
    printf '%s\n' "$HAVE" | grep -qE "$REAL_PKG_RE" \
        || die "$OUT holds $HAVE, not a kernel of $META_PKG: give another OUTDIR"
fi

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

    # Depends: linux-image-6.1.0-NN-<flavour> (= 6.1.x-y)
    DEPENDS="$(dpkg-deb -f "$META" Depends)" || die "cannot read Depends of $META"
    PKG="$(printf '%s\n' "$DEPENDS" | tr ',|' '\n\n' | sed -e 's/^ *//' -e 's/ .*//' \
           | grep -E "$REAL_PKG_RE" | head -n 1 || true)"
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
    dotnet run --project "$ROOT/tools/BzImage" -v q -- "$VMLINUZ" "$VMLINUX.tmp" \
        || die "extracting the ELF from $VMLINUZ failed"
    is_elf "$VMLINUX.tmp" || die "tools/BzImage wrote no ELF"
    mv "$VMLINUX.tmp" "$VMLINUX"
fi
log "vmlinux: $VMLINUX ($(stat -c %s "$VMLINUX") bytes)"
SYSMAP="$(ls -1 "$OUT"/boot/System.map-* 2>/dev/null | head -n 1 || true)"
[ -n "$SYSMAP" ] && log "System.map: $SYSMAP"
exit 0
