#!/bin/sh
# build-deps.sh - build static libdevmapper and libcryptsetup from Debian's sources.
#
# Debian ships neither as a static library. This fetches the pinned source
# packages from Debian's archive, checks them against the sha256 sums below,
# unpacks them with Debian's patches applied and installs the two static
# libraries with their headers into a cache outside the checkout:
#
#   ${COCOSECRET_CACHE:-/var/cache/cocosecret}/deps/<key>/{include,lib}
#
# <key> hashes this script (pins, flags), scripts/patches/ and the compiler version, so a
# change to either builds afresh and an unchanged tree reuses the cache.
# Prints the prefix on stdout; everything else goes to stderr.
set -eu

CACHE=${COCOSECRET_CACHE:-/var/cache/cocosecret}
MIRROR=${COCOSECRET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# cryptsetup from sid (2.8.1+ refuses null-cipher keyslots for a non-empty
# passphrase), lvm2 from trixie; both build with Debian 12's toolchain.
CS_VER=2.8.8
CS_DEB=2.8.8-1
LVM_VER=2.03.31
LVM_DEB=2.03.31-2

# file sha256 (pinned)
PINS="
cryptsetup_${CS_DEB}.dsc 1d63c16f66f0f181dfed66b8c48792384e01f2a4085a611296ad43c62644108a
cryptsetup_${CS_VER}.orig.tar.gz 24ea7b0a7d212fb3258191a1f0a1bc4bc695e6f989e35b81ff915a3d071a8bd8
cryptsetup_${CS_DEB}.debian.tar.xz bbb0c907cd5e47cd8cb0ece786dafeb47f75606c70780c8521fd174cae0c5c09
lvm2_${LVM_DEB}.dsc 4630a8fd42a075c8a23e6e07cd3c49f5d9467d39dcd55efc2ebf1406f7d1ffca
lvm2_${LVM_VER}.orig.tar.xz 5541d15f739bc62263b551b1d8091ea8fc889a31ed20cdc58ff9f7192d8ecd4a
lvm2_${LVM_DEB}.debian.tar.xz 4f7386d366c2f15c4b3a564d4db76266e0cf2e90a1f71e7f2837aa607c884463
"

# Size first: every function and object in its own section so that the
# final link can drop what cocosecret does not use.
DEP_CFLAGS="-Os -g0 -fPIE -ffunction-sections -fdata-sections -fstack-protector-strong -D_FORTIFY_SOURCE=2"

msg() { echo "build-deps: $*" >&2; }

PATCHES=$(cd "$(dirname "$0")" && pwd)/patches
key=$( { cat "$0" "$PATCHES"/*.patch; gcc --version | head -n 1; } | sha256sum | cut -c1-16)
PREFIX="$CACHE/deps/$key"
if [ -f "$PREFIX/.done" ]; then
	echo "$PREFIX"
	exit 0
fi

mkdir -p "$CACHE/dl"
fetch() { # fetch FILE: into $CACHE/dl, verified
	f=$1
	sum=$(echo "$PINS" | awk -v f="$f" '$1 == f { print $2 }')
	[ -n "$sum" ] || { msg "no pin for $f"; exit 1; }
	if [ -f "$CACHE/dl/$f" ] && echo "$sum  $CACHE/dl/$f" | sha256sum -c --status; then
		return 0
	fi
	case "$f" in
	cryptsetup_*) dir=c/cryptsetup ;;
	lvm2_*) dir=l/lvm2 ;;
	esac
	msg "fetching $f"
	curl -fsSL --retry 3 -o "$CACHE/dl/$f.part" "$MIRROR/pool/main/$dir/$f" || {
		msg "cannot fetch $MIRROR/pool/main/$dir/$f (a newer Debian point release may have replaced it; put the file in $CACHE/dl)"
		exit 1
	}
	if ! echo "$sum  $CACHE/dl/$f.part" | sha256sum -c --status; then
		msg "sha256 mismatch for $f: refusing it"
		rm -f "$CACHE/dl/$f.part"
		exit 1
	fi
	mv "$CACHE/dl/$f.part" "$CACHE/dl/$f"
}

for f in $(echo "$PINS" | awk 'NF { print $1 }'); do
	fetch "$f"
done

work=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage="$work/prefix"
mkdir -p "$stage/include" "$stage/lib"

# Checksums were verified above (dpkg-source would want the signer's key).
dpkg-source --no-check -x "$CACHE/dl/lvm2_${LVM_DEB}.dsc" "$work/lvm2" >&2
dpkg-source --no-check -x "$CACHE/dl/cryptsetup_${CS_DEB}.dsc" "$work/cryptsetup" >&2
# Our own patches on top of Debian's (see the header of each), in name order.
for p in "$PATCHES"/cryptsetup-*.patch; do
	msg "applying $(basename "$p")"
	patch -d "$work/cryptsetup" -p1 --no-backup-if-mismatch <"$p" >&2
done

msg "building libdevmapper $LVM_DEB"
(
	cd "$work/lvm2"
	CFLAGS="$DEP_CFLAGS" ./configure --enable-option-checking=fatal --enable-static_link \
		--disable-udev_sync --disable-udev_rules --disable-selinux \
		--disable-dmeventd --disable-cmdlib --disable-blkid_wiping \
		--disable-readline --disable-nls --disable-use-lvmlockd \
		--disable-use-lvmpolld --with-thin=none --with-cache=none \
		--with-vdo=none --with-writecache=none --with-integrity=none \
		--disable-fsadm --disable-lvmimportvdo --without-systemd-run \
		--without-systemd --without-udev --without-blkid \
		--disable-systemd-journal --disable-sd-notify
	make -j"$JOBS" -C libdm
) >"$work/lvm2.log" 2>&1 || { tail -n 40 "$work/lvm2.log" >&2; msg "libdevmapper build failed"; exit 1; }
cp "$work/lvm2/libdm/ioctl/libdevmapper.a" "$stage/lib/"
cp "$work/lvm2/libdm/libdevmapper.h" "$stage/include/"

msg "building libcryptsetup $CS_DEB (nettle backend)"
(
	cd "$work/cryptsetup"
	./autogen.sh
	CFLAGS="$DEP_CFLAGS" \
	CPPFLAGS="-I$stage/include" LDFLAGS="-L$stage/lib" \
	DEVMAPPER_CFLAGS="-I$stage/include" \
	DEVMAPPER_LIBS="-L$stage/lib -ldevmapper -lm -lpthread" \
	DEVMAPPER_STATIC_CFLAGS="-I$stage/include" \
	DEVMAPPER_STATIC_LIBS="-L$stage/lib -ldevmapper -lm -lpthread" \
	./configure --enable-option-checking=fatal --enable-static --disable-shared \
		--with-crypto_backend=nettle --enable-internal-sse-argon2 \
		--disable-external-tokens --disable-ssh-token --disable-nls \
		--disable-asciidoc --disable-blkid --disable-selinux --disable-udev \
		--disable-cryptsetup --disable-veritysetup --disable-integritysetup \
		--disable-luks2-reencryption --disable-hw-opal \
		--disable-fips --disable-pwquality --disable-passwdqc
	make -j"$JOBS" libcryptsetup.la
) >"$work/cryptsetup.log" 2>&1 || { tail -n 40 "$work/cryptsetup.log" >&2; msg "libcryptsetup build failed"; exit 1; }
cp "$work/cryptsetup/.libs/libcryptsetup.a" "$stage/lib/"
cp "$work/cryptsetup/lib/libcryptsetup.h" "$stage/include/"
for f in cryptsetup/COPYING lvm2/COPYING.LIB; do
	cp "$work/$f" "$stage/$(dirname "$f").$(basename "$f")"
done

mkdir -p "$CACHE/deps"
rm -rf "$PREFIX"
mv "$stage" "$PREFIX"
touch "$PREFIX/.done"
msg "static libraries in $PREFIX"
echo "$PREFIX"
