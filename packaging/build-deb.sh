#!/usr/bin/env bash
# Builds the Debian package microxen with dpkg-deb from packaging/ and the shim image:
#   packaging/build-deb.sh OUT_DIR MICROXEN.bin VERSION
# Contents: /boot/microxen.bin, /etc/grub.d/20_linux_microxen, /etc/default/grub.d/microxen.cfg
# (conffiles), maintainer scripts running update-grub, the copyright and changelog in /usr/share/doc.
set -euo pipefail
out=${1:?usage: build-deb.sh OUT_DIR MICROXEN.bin VERSION} image=${2:?} version=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$image" ] || { echo "build-deb: $image not found (make build)" >&2; exit 2; }
command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb not found (apt-get install dpkg)" >&2; exit 2; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
umask 022
install -D -m 644 "$image" "$stage/boot/microxen.bin"
install -D -m 755 "$here/grub.d/20_linux_microxen" "$stage/etc/grub.d/20_linux_microxen"
install -D -m 644 "$here/grub.d/microxen.cfg" "$stage/etc/default/grub.d/microxen.cfg"
install -D -m 644 "$here/debian/copyright" "$stage/usr/share/doc/microxen/copyright"
mkdir -p "$stage/DEBIAN"
# changelog: one entry for this build, dated by the last commit (reproducible).
date=$(git -C "$here" log -1 --format=%aD 2>/dev/null || date -R)
printf 'microxen (%s) unstable; urgency=medium\n\n  * Build of the microxen shim from its repository.\n\n -- microxen developers <microxen@example.org>  %s\n' "$version" "$date" \
    | gzip -9n > "$stage/usr/share/doc/microxen/changelog.gz"
chmod 644 "$stage/usr/share/doc/microxen/changelog.gz"
install -m 755 "$here/debian/postinst" "$here/debian/postrm" "$stage/DEBIAN/"
printf '/etc/default/grub.d/microxen.cfg\n/etc/grub.d/20_linux_microxen\n' > "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$here/debian/control.in" > "$stage/DEBIAN/control"
mkdir -p "$out"
deb="$out/microxen_${version}_amd64.deb"
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "build-deb: $deb ($(stat -c %s "$deb") bytes)"
