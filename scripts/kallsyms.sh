#!/usr/bin/env bash
# The Debian kernel's text symbols for profiles (scripts/ab-profile.sh TOP=N): Debian's System.map is
# a stub (the real one is in the -dbg package), so this boots the kernel natively once with nokaslr
# and the A/B initramfs's ab_kallsyms mode (tests/guest/bench-init.sh prints /proc/kallsyms's text
# symbols, gzip'ed and base64'ed, between ABKSYMS lines) and writes them in System.map's format
# ("ADDR TYPE NAME"). A PV boot loads the kernel at its link address (no KASLR), so the same addresses
# name the same functions under microxen and Xen. Kept until the kernel image is newer.
#   scripts/kallsyms.sh [OUT]     (default build/ab/kallsyms)
# Exit 2 when the boot prints no symbols.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/ab/kallsyms}
vmlinuz=$(ls build/debian/boot/vmlinuz-* | head -n1)
[ -s "$out" ] && [ "$out" -nt "$vmlinuz" ] && { echo "kallsyms: $out (kept)"; exit 0; }
mkdir -p "$(dirname "$out")"
[ -f build/initramfs-ab.cpio ] || scripts/ab-initramfs.sh >/dev/null
echo "kallsyms: booting $(basename "$vmlinuz") natively to read /proc/kallsyms" >&2
console=$(scripts/ab-boot.sh native build/initramfs-ab.cpio "ab_kallsyms nokaslr" 2>&1 || true)
tr -d '\r' <<<"$console" | sed -n '/^ABKSYMS begin$/,/^ABKSYMS end$/p' | sed '1d;$d' | base64 -d | gunzip > "$out.new" 2>/dev/null || true
n=$(wc -l < "$out.new")
[ "$n" -gt 1000 ] || { rm -f "$out.new"; echo "kallsyms: the boot printed no symbols ($n lines)" >&2; exit 2; }
mv "$out.new" "$out"
echo "kallsyms: $out ($n text symbols)"
