# SPDX-License-Identifier: GPL-2.0-or-later
# tests/deb.sh - sourced by tests/run: `make deb` builds the Debian package,
# which carries the binary make built, the man pages, the dracut module
# where dracut looks and the initramfs-tools hook and scripts where
# initramfs-tools looks; lintian shows no tag that debian/ does not explain; the
# package installs with apt and purges cleanly in a Debian 13 chroot
# ($COCOSECRET_DEB_CHROOT, default /var/cache/cocosecret/deb-trixie-chroot,
# if there is one), else with dpkg --root in an empty sandbox.  Such a chroot
# (about 2 minutes, 370 MB; nothing here makes one):
#   debootstrap --variant=minbase --include=dracut-core,cryptsetup-bin,dmsetup,\
#     systemd-cryptsetup trixie /var/cache/cocosecret/deb-trixie-chroot \
#     http://deb.debian.org/debian
#
# shellcheck shell=bash disable=SC2154,SC2016,SC1091 # $top, $work: tests/run's;
# the inner scripts are expanded by their sh; the chroot's os-release.

deb_test() {
	local ver deb d x f want got chroot=${COCOSECRET_DEB_CHROOT:-/var/cache/cocosecret/deb-trixie-chroot}
	ver=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")
	deb=$top/build/deb/cocosecret_$ver-1_amd64.deb
	d=$work/deb
	mkdir -p "$d"

	check "deb: debian/changelog is VERSION-1 ($ver-1)" \
		test "$(dpkg-parsechangelog -l "$top/debian/changelog" -SVersion)" = "$ver-1"
	# scripts/deps.sh build runs in the package build too: Build-Depends has all of it.
	want=$(sed -n '/^pkgs_build="/,/"$/p' "$top/scripts/deps.sh" | sed 's/pkgs_build=//; s/"//g' |
		tr -s '[:space:]' '\n' | grep -vx -e '' -e build-essential -e dpkg-dev | sort)
	got=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$top/debian/control" | sed 's/^Build-Depends://' |
		tr ',' '\n' | sed 's/([^)]*)//; s/[[:space:]]//g' | grep -v -e '^$' -e '^Standards' | sort)
	printf '%s\n' "$want" >"$d/want"
	printf '%s\n' "$got" >"$d/got"
	check "deb: Build-Depends covers scripts/deps.sh build" test -z "$(comm -23 "$d/want" "$d/got")"
	for f in "$top"/debian/*.lintian-overrides; do
		check "deb: every lintian override in $(basename "$f") has a comment" awk '
			/^#/ { c = 1; next } /^$/ { c = 0; next } { if (!c) bad = 1 }
			END { exit bad }' "$f"
	done

	if ! make -C "$top" deb >"$d/make.log" 2>&1; then
		ko "deb: make deb: $(grep -E '^[EWIPX]: |error' "$d/make.log" | head -n 5)"
		return
	fi
	ok "deb: make deb"
	lintian -I -E --pedantic --fail-on error,warning,info,pedantic,experimental \
		"${deb%.deb}.changes" >"$d/lintian.log" 2>&1
	check "deb: lintian shows no tag (overrides explain the rest)" \
		sh -c '[ "$1" = 0 ] && ! grep -E "^[EWIPX]: " "$2"' sh $? "$d/lintian.log"

	dpkg-deb -f "$deb" >"$d/control"
	check "deb: Package, Version, Architecture" sh -c 'grep -qx "Package: cocosecret" "$1" &&
		grep -qx "Version: $2-1" "$1" && grep -qx "Architecture: amd64" "$1"' sh "$d/control" "$ver"
	check "deb: depends on nothing but may suggest cryptsetup-initramfs or dracut-core" sh -c '! grep -q "^Depends:.*[a-z]" "$1" &&
		! grep -q "^Recommends:" "$1" && grep -qx "Suggests: cryptsetup-initramfs | dracut-core" "$1"' sh "$d/control"
	check "deb: Built-Using names the statically linked sources" sh -c 'for p in cryptsetup lvm2 glibc json-c util-linux nettle; do
		grep -q "^Built-Using:.* $p (= [^)]*)" "$1" || exit 1; done' sh "$d/control"
	check "deb: no maintainer scripts; a trigger for update-initramfs only" sh -c '[ "$(dpkg-deb --ctrl-tarfile "$1" | tar -t | sort | tr "\n" " ")" = "./ ./control ./md5sums ./triggers " ] &&
		[ "$(dpkg-deb -I "$1" triggers | grep -v "^#")" = "activate-noawait update-initramfs" ]' sh "$deb"

	dpkg-deb -c "$deb" >"$d/contents"
	x=$d/x
	dpkg-deb -x "$deb" "$x"
	check "deb: /usr/sbin/cocosecret is the binary make built, byte for byte" cmp -s "$x/usr/sbin/cocosecret" "$top/cocosecret"
	check "deb: man pages" sh -c 'grep -q " ./usr/share/man/man8/cocosecret.8.gz$" "$1" &&
		grep -q " ./usr/share/man/man7/dracut.cocosecret.7.gz$" "$1" &&
		grep -q " ./usr/share/man/man7/initramfs-tools.cocosecret.7.gz$" "$1"' sh "$d/contents"
	check "deb: copyright" test -s "$x/usr/share/doc/cocosecret/copyright"
	f=ok
	for want in "$top"/dracut-module/50cocosecret/*; do
		got=$x/usr/lib/dracut/modules.d/50cocosecret/$(basename "$want")
		cmp -s "$want" "$got" || f="$(basename "$want") differs"
		[ -x "$want" ] && [ ! -x "$got" ] && f="$(basename "$want") not executable"
		[ ! -x "$want" ] && [ -x "$got" ] && f="$(basename "$want") executable"
	done
	check "deb: every file of the dracut module, in /usr/lib/dracut/modules.d/50cocosecret ($f)" test "$f" = ok
	f=ok
	for want in hooks/cocosecret scripts/local-top/cocosecret scripts/local-block/cocosecret \
		scripts/init-bottom/cocosecret scripts/panic/cocosecret scripts/cocosecret-functions; do
		got=$x/usr/share/initramfs-tools/$want
		cmp -s "$top/initramfs-tools/$want" "$got" || f="$want differs"
		[ -x "$top/initramfs-tools/$want" ] && [ ! -x "$got" ] && f="$want not executable"
		[ ! -x "$top/initramfs-tools/$want" ] && [ -x "$got" ] && f="$want executable"
	done
	check "deb: the initramfs-tools hook, scripts and library, in /usr/share/initramfs-tools ($f)" test "$f" = ok
	check "deb: the example of /etc/cocosecret/initramfs.conf" \
		cmp -s "$top/initramfs-tools/initramfs.conf" "$x/usr/share/doc/cocosecret/examples/initramfs.conf"
	check "deb: files only under /usr" sh -c '! awk "{ print \$6 }" "$1" | grep -v -e "^\./$" -e "^\./usr/"' sh "$d/contents"
	deb_token_test "${deb%/*}/cocosecret-token_$ver-1_amd64.deb" "$ver"

	if [ -x "$chroot/usr/bin/apt-get" ] && [ "$(id -u)" = 0 ]; then
		# one test run at a time in the chroot (install, run, purge)
		{
			flock -w 600 9 || ko "deb: lock $chroot.lock"
			deb_install_chroot "$chroot" "$deb" "$ver"
		} 9>"$chroot.lock"
	else
		deb_install_sandbox "$deb" "$ver"
	fi
}

# cocosecret-token: the plugin make built, byte for byte, where libcryptsetup
# looks; the units and their script; shared-library dependencies (and on
# cocosecret, for `cocosecret wipe`); no maintainer scripts (nothing is
# enabled on the running system).
deb_token_test() {
	local deb=$1 ver=$2 x=$work/deb/xt dir f want got
	check "deb: cocosecret-token built" test -f "$deb" || return
	dpkg-deb -f "$deb" >"$work/deb/control-token"
	dpkg-deb -x "$deb" "$x"
	dir=$(cryptsetup --help | sed -n 's/^LUKS2 external token plugin path: \(.*\)\.$/\1/p')
	check "deb: cocosecret-token: the plugin make built, in libcryptsetup's plugin path ($dir)" \
		cmp -s "$x/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/cryptsetup/libcryptsetup-token-cocosecret.so" \
		"$top/build/token/libcryptsetup-token-cocosecret.so"
	check "deb: cocosecret-token: the wipe units, drop-ins and script" sh -c 'for f in \
		usr/lib/systemd/system/cocosecret-token-wipe.service usr/lib/systemd/system/cocosecret-token-emergency.service \
		usr/lib/systemd/system/emergency.service.d/cocosecret-token-wipe.conf \
		usr/lib/systemd/system/rescue.service.d/cocosecret-token-wipe.conf; do cmp -s "$1/$f" "$2/token/${f##*/}" || exit 1; done
		test -x "$1/usr/libexec/cocosecret/cocosecret-token-wipe"' sh "$x" "$top"
	f=ok
	for want in "$top"/dracut-module/50cocosecret-token/*; do
		got=$x/usr/lib/dracut/modules.d/50cocosecret-token/$(basename "$want")
		# the checkout's links are files in the package (make install copies them)
		{ [ -f "$got" ] && [ ! -L "$got" ] && cmp -s "$want" "$got"; } || f="$(basename "$want") differs"
		[ -x "$want" ] && [ ! -x "$got" ] && f="$(basename "$want") not executable"
		[ ! -x "$want" ] && [ -x "$got" ] && f="$(basename "$want") executable"
	done
	check "deb: cocosecret-token: every file of the dracut module, in /usr/lib/dracut/modules.d/50cocosecret-token ($f)" test "$f" = ok
	check "deb: cocosecret-token depends on cocosecret (= $ver-1), libcryptsetup12, libjson-c5, libnettle8" sh -c '
		grep -q "^Depends:.*cocosecret (= $2-1)" "$1" && grep -q "^Depends:.*libcryptsetup12" "$1" &&
		grep -q "^Depends:.*libjson-c5" "$1" && grep -q "^Depends:.*libnettle8" "$1"' sh "$work/deb/control-token" "$ver"
	check "deb: cocosecret-token: no maintainer scripts" sh -c '[ "$(dpkg-deb --ctrl-tarfile "$1" | tar -t | sort | tr "\n" " ")" = "./ ./control ./md5sums " ]' sh "$deb"
}

# cocosecret-token next to it: apt resolves its libraries from what the
# chroot has, and the chroot's own cryptsetup (Debian 13's 2.7.5, another
# libcryptsetup than the one it was built against) finds the plugin where
# the package put it: luksDump of an enrolled image shows its dump.
deb_token_chroot() {
	local c=$1 deb=$2 n
	n=$(basename "$deb")
	chroot "$c" dpkg-query -W cocosecret-token >/dev/null 2>&1 &&
		chroot "$c" apt-get purge -y cocosecret-token >/dev/null 2>&1
	cp "$deb" "$c/tmp/$n"
	check "deb: apt install ./$n" sh -c 'chroot "$1" sh -c "cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y ./$2" >>"$3" 2>&1' \
		sh "$c" "$n" "$work/deb/apt.log"
	truncate -s 20M "$c/tmp/cocosecret-token-test.img"
	cryptsetup luksFormat --batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
		--key-file "$work/p1" "$c/tmp/cocosecret-token-test.img" >/dev/null 2>&1
	rm -f "$work/deb/token.secret"
	"$BIN" enroll --key-file "$work/p1" --secret-out "$work/deb/token.secret" \
		"$c/tmp/cocosecret-token-test.img" >/dev/null 2>&1
	chroot "$c" cryptsetup luksDump /tmp/cocosecret-token-test.img >"$work/deb/luksdump" 2>&1
	check "deb: $(chroot "$c" cryptsetup --version | cut -d' ' -f1-2) in the chroot loads the installed plugin (luksDump)" \
		grep -q "cocosecret GUID: $DISK_GUID" "$work/deb/luksdump"
	check "deb: apt purge cocosecret-token" sh -c 'chroot "$1" apt-get purge -y cocosecret-token >>"$2" 2>&1 &&
		! chroot "$1" dpkg-query -W cocosecret-token 2>/dev/null &&
		[ -z "$(find "$1/usr/lib" "$1/usr/libexec" -name "*cocosecret-token*" 2>/dev/null)" ]' sh "$c" "$work/deb/apt.log"
	rm -f "$c/tmp/$n" "$c/tmp/cocosecret-token-test.img"
}

# Install as the guest image does (apt install ./cocosecret_*.deb), then purge.
deb_install_chroot() {
	local c=$1 deb=$2 ver=$3 n
	n=$(basename "$deb")
	chroot "$c" dpkg-query -W cocosecret >/dev/null 2>&1 && chroot "$c" apt-get purge -y cocosecret >/dev/null 2>&1
	cp "$deb" "$c/tmp/$n"
	check "deb: apt install ./$n in $(. "$c/etc/os-release"; echo "$PRETTY_NAME") ($c)" \
		sh -c 'chroot "$1" sh -c "cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y ./$2" >"$3" 2>&1' \
		sh "$c" "$n" "$work/deb/apt.log"
	check "deb: installed binary runs" sh -c '[ "$(chroot "$1" cocosecret --version)" = "cocosecret $2" ]' sh "$c" "$ver"
	if [ -x "$c/usr/bin/dracut" ]; then
		check "deb: $(chroot "$c" dpkg-query -W -f '${Package} ${Version}' dracut-core) finds the module" \
			sh -c 'chroot "$1" dracut --list-modules -a cocosecret 2>/dev/null | grep -qx cocosecret' sh "$c"
	fi
	deb_token_chroot "$c" "${deb%/*}/cocosecret-token_$ver-1_amd64.deb"
	check "deb: apt purge" sh -c 'chroot "$1" apt-get purge -y cocosecret >>"$2" 2>&1' sh "$c" "$work/deb/apt.log"
	check "deb: nothing left after purge" sh -c '! chroot "$1" dpkg-query -W cocosecret 2>/dev/null &&
		[ ! -e "$1/usr/sbin/cocosecret" ] && [ ! -e "$1/usr/lib/dracut/modules.d/50cocosecret" ] &&
		[ ! -e "$1/usr/share/initramfs-tools/hooks/cocosecret" ] &&
		[ ! -e "$1/usr/share/doc/cocosecret" ]' sh "$c"
	rm -f "$c/tmp/$n"
}

# No Debian 13 chroot: dpkg --root into an empty sandbox (the package has no
# dependencies and no maintainer scripts, so this installs it completely).
deb_install_sandbox() {
	local deb=$1 ver=$2 r=$work/deb/root force=""
	echo "deb: no Debian 13 chroot at ${COCOSECRET_DEB_CHROOT:-/var/cache/cocosecret/deb-trixie-chroot} (or not root): dpkg --root into a sandbox"
	mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
	: >"$r/var/lib/dpkg/status"
	[ "$(id -u)" = 0 ] || force=--force-not-root
	check "deb: dpkg --root install" sh -c 'dpkg --root="$1" --log="$2.log" $4 -i "$3" >"$2.out" 2>&1' \
		sh "$r" "$work/deb/dpkg" "$deb" "$force"
	check "deb: installed binary runs" sh -c '[ "$("$1/usr/sbin/cocosecret" --version)" = "cocosecret $2" ]' sh "$r" "$ver"
	check "deb: dpkg --root purge" sh -c 'dpkg --root="$1" --log="$2.log" $3 --purge cocosecret >>"$2.out" 2>&1' \
		sh "$r" "$work/deb/dpkg" "$force"
	check "deb: nothing left after purge" sh -c '[ -z "$(find "$1" -mindepth 1 -not -path "$1/var/lib/dpkg*" | grep -v -e "^$1/usr$" -e "^$1/var$" -e "^$1/var/lib$")" ]' sh "$r"
}

if [ -n "${COCOSECRET_BIN:-}" ]; then
	skip "deb: tests/run runs against $BIN; the package carries the release binary"
elif ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null || ! command -v dh >/dev/null ||
	! git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	skip "deb: needs debhelper, lintian (scripts/deps.sh deb) and a git checkout"
else
	deb_test
fi
