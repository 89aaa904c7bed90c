#!/bin/sh
# deps.sh - install the Debian packages a cocosecret entry point needs.
#
# Usage: scripts/deps.sh GROUP...
#   build   static binary (autotools for cryptsetup/lvm2 sources, json-c, uuid, nettle, popt)
#           and the token plugin (the distribution's libcryptsetup-dev)
#   test    unit/CLI tests (cryptsetup CLI to make LUKS images)
#   vm      test-vm: QEMU, OVMF, gnu-efi, kernel source and build deps, busybox, mtools
#   dracut  dracut-core (never the 'dracut' package: it replaces initramfs-tools);
#           debootstrap for the trixie chroot of dracut 106 (test-vm/lib/dracut-ng)
#   deb     make deb: debhelper (dh, dpkg-buildpackage), lintian
#   hardening  make analyze/check-asan/check-valgrind/fuzz: clang + compiler-rt
#   bench   bench/run: GNU time (peak RSS), gnuplot (the chart)
#           (ASan, UBSan, libFuzzer), llvm (llvm-cov, llvm-symbolizer), valgrind,
#           cppcheck, clang-tidy, shellcheck, strace
#
# Does nothing (and needs no root) when everything is already installed.
set -eu

pkgs_build="build-essential autoconf automake libtool autopoint pkg-config gettext
	libpopt-dev libjson-c-dev uuid-dev nettle-dev libargon2-dev libblkid-dev
	libaio-dev dpkg-dev xz-utils ca-certificates curl libcryptsetup-dev"
pkgs_deb="debhelper lintian"
# tests/deb.sh (in tests/run) builds the package
pkgs_test="cryptsetup-bin e2fsprogs python3 strace dash shellcheck file dracut-core $pkgs_deb"
pkgs_vm="qemu-system-x86 ovmf gnu-efi linux-source-6.1 flex bison libelf-dev bc
	libssl-dev kmod cpio mtools dosfstools busybox-static xz-utils zstd
	cryptsetup-bin e2fsprogs python3 rsync gcc make libc6-dev"
pkgs_dracut="dracut-core kmod cpio systemd lvm2 debootstrap fdisk"
pkgs_bench="time gnuplot-nox"
pkgs_hardening="clang-14 libclang-rt-14-dev llvm-14 valgrind cppcheck clang-tidy-14 clang
	clang-tidy shellcheck strace python3 gcc"

want=""
for g in "$@"; do
	case "$g" in
	build) want="$want $pkgs_build" ;;
	test) want="$want $pkgs_test" ;;
	vm) want="$want $pkgs_vm" ;;
	dracut) want="$want $pkgs_dracut" ;;
	deb) want="$want $pkgs_deb" ;;
	hardening) want="$want $pkgs_hardening" ;;
	bench) want="$want $pkgs_bench" ;;
	*) echo "deps.sh: unknown group '$g'" >&2; exit 1 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package index is the usual reason for a failed install on a new machine.
# ($missing is a list of names: split on purpose.)
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 $missing; then
	apt-get update -o DPkg::Lock::Timeout=600
	apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 $missing
fi
