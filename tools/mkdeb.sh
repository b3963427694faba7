#!/bin/sh
# Builds metaslot's Debian package with dpkg-deb (no debhelper, no root:
# --root-owner-group makes every file root's).
#
#   tools/mkdeb.sh OUT.deb PROGRAM.EFI VERSION
#   DEB_MAINTAINER="Name <address>" sets the Maintainer (a placeholder otherwise)
#
# Contents: /usr/lib/metaslot/metaslot.efi (the one-file program; pass the
# signed one to ship that), /etc/grub.d/25_metaslot (the GRUB entry on UEFI
# machines), /usr/bin/metaslot-reports (tools/reports.sh), /usr/bin/metaslot-lastrun
# (the last run's record from efivarfs, for monitoring), the man page, and
# the docs Debian policy asks for.
set -eu
maintainer=${DEB_MAINTAINER:-metaslot developers <metaslot@example.org>}

die() { echo "mkdeb: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "usage: $0 OUT.deb PROGRAM.EFI VERSION"
out=$1 efi=$2 version=$3
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$efi" ] || die "missing $efi"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (Debian package dpkg)"

root="$out.root"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/usr/lib/metaslot" "$root/etc/grub.d" "$root/usr/bin" \
	"$root/usr/share/man/man8" "$root/usr/share/doc/metaslot"
install -m 0644 "$efi" "$root/usr/lib/metaslot/metaslot.efi"
install -m 0755 "$here/pkg/deb/25_metaslot" "$root/etc/grub.d/25_metaslot"
install -m 0755 "$here/tools/reports.sh" "$root/usr/bin/metaslot-reports"
install -m 0755 "$here/tools/metaslot-lastrun" "$root/usr/bin/metaslot-lastrun"
gzip -9n <"$here/docs/metaslot.8" >"$root/usr/share/man/man8/metaslot.8.gz"
ln -s metaslot.8.gz "$root/usr/share/man/man8/metaslot-reports.8.gz"
ln -s metaslot.8.gz "$root/usr/share/man/man8/metaslot-lastrun.8.gz"
install -m 0644 "$here/pkg/deb/copyright" "$root/usr/share/doc/metaslot/copyright"
gzip -9n <"$here/README.md" >"$root/usr/share/doc/metaslot/README.md.gz"
printf 'metaslot (%s) unstable; urgency=medium\n\n  * Built from the metaslot source tree.\n\n -- %s  %s\n' \
	"$version" "$maintainer" "$(date -R -d @"${SOURCE_DATE_EPOCH:-0}")" |
	gzip -9n >"$root/usr/share/doc/metaslot/changelog.Debian.gz"
chmod 0644 "$root/usr/share/man/man8/metaslot.8.gz" "$root/usr/share/doc/metaslot/"*.gz
# the grub script is a conffile: a local edit survives upgrades
echo /etc/grub.d/25_metaslot >"$root/DEBIAN/conffiles"
install -m 0755 "$here/pkg/deb/postinst" "$here/pkg/deb/postrm" "$root/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" -e "s|@MAINTAINER@|$maintainer|" \
	"$here/pkg/deb/control.in" >"$root/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
rm -rf "$root"
