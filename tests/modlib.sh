# SPDX-License-Identifier: GPL-2.0-or-later
# tests/modlib.sh - sourced by tests/run: the dracut module's shell library
# (cocosecret-lib.sh) under dash against hostile command lines, the trusted
# GUID list, and a wipe that fails.  Each case runs in a private mount
# namespace with its command line mounted over /proc/cmdline.
# shellcheck shell=bash disable=SC2154 # $work, $top, ...: tests/run's

ML=$work/modlib
mkdir -p "$ML/etc" "$ML/area"
# modlib_run CMDLINE SCRIPT: SCRIPT's output, after sourcing the library with
# the test's paths (binary, trusted list, area, sysrq)
modlib_run() {
	printf '%s\n' "$1" >"$ML/cmdline"
	cat >"$ML/script.sh" <<-EOS
	. $top/dracut-module/50cocosecret/cocosecret-lib.sh
	COCOSECRET=$ML/bin COCOSECRET_TRUSTED=$ML/etc/trusted-guids
	COCOSECRET_AUTH=$ML/etc/require-auth COCOSECRET_AREA=$ML/area
	COCOSECRET_RUN=$ML/run COCOSECRET_WIPED=$ML/run/wiped COCOSECRET_SYSRQ=$ML/sysrq
	$2
	EOS
	unshare -m sh -c 'mount --bind "$1" /proc/cmdline && exec dash "$2"' sh \
		"$ML/cmdline" "$ML/script.sh" 2>"$ML/err"
}

u1=48e1a96b-49c9-49f9-a8e7-7e49312220e1
g1=0f1e2d3c-4b5a-4697-8877-665544332211
g2=9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
printf '%s\n' "$g1" 'not-a-guid;reboot' >"$ML/etc/trusted-guids"

is "module: a target with a hostile rd.luks.name is dropped (dracut's prompt handles it)" "" \
	modlib_run "rd.luks.uuid=$u1 rd.luks.name=$u1=--all rd.luks.name=$u1=%n" cocosecret_targets
is "module: a name with a systemd specifier is dropped" "" \
	modlib_run "rd.luks.name=$u1=a%ib" cocosecret_targets
is "module: a UUID with an option or a quote in it is dropped" "" \
	modlib_run "rd.luks.uuid=--all rd.luks.uuid=$u1\"x" cocosecret_targets
is "module: a plain rd.luks.name is kept" "$u1 vda3_crypt" \
	modlib_run "rd.luks.name=$u1=vda3_crypt" cocosecret_targets
is "module: rd.cocosecret.guid must be a GUID" "" \
	modlib_run "rd.cocosecret.guid=--all" 'cocosecret_cmdline; echo "$COCO_GUID"'
is "module: rd.cocosecret.timeout must be a number" "" \
	modlib_run "rd.cocosecret.timeout=5;reboot" 'cocosecret_cmdline; echo "$COCO_TIMEOUT"'
is "module: trusted GUIDs: the disk GUID and the built-in list (valid ones only)" \
	"$DISK_GUID $g1" modlib_run "" 'echo $(cocosecret_trusted)'
is "module: rd.cocosecret.guid alone when given" \
	"$g2" modlib_run "rd.cocosecret.guid=$g2" 'echo $(cocosecret_trusted)'
is "module: --trust for each, no --require-auth by default" \
	"--trust $DISK_GUID --trust $g1" modlib_run "" 'echo $(cocosecret_trust_args)'
echo 1 >"$ML/etc/require-auth"
is "module: the initramfs requires the header MAC" \
	"--trust $DISK_GUID --trust $g1 --require-auth" modlib_run "" 'echo $(cocosecret_trust_args)'
is "module: rd.cocosecret.auth=0 opts out" \
	"--trust $DISK_GUID --trust $g1" modlib_run "rd.cocosecret.auth=0" 'echo $(cocosecret_trust_args)'
rm -f "$ML/etc/require-auth"
is "module: rd.cocosecret.auth=1 opts in" \
	"--trust $DISK_GUID --trust $g1 --require-auth" modlib_run "rd.cocosecret.auth=1" 'echo $(cocosecret_trust_args)'

# the wipe: the trusted GUIDs only; a failure stops the boot
printf '#!/bin/sh\necho "$@" >%s/wiped-args\nexit ${WIPE_RC:-0}\n' "$ML" >"$ML/bin"
chmod +x "$ML/bin"
modlib_run "" 'cocosecret_wipe_final; echo "rc=$?"' >"$ML/out"
is "module: the final wipe wipes the trusted GUIDs, nothing the disks name" "wipe $DISK_GUID $g1" \
	cat "$ML/wiped-args"
check "module: ...and marks it done" test -e "$ML/run/wiped"
rm -rf "$ML/run" "$ML/sysrq"
WIPE_RC=1 modlib_run "" 'cocosecret_wipe_final; echo "rc=$?"' >"$ML/out"
is "module: a failed final wipe asks the kernel to power off" o cat "$ML/sysrq"
check "module: ...says so" grep -q 'cannot wipe the launch secret: stopping the boot' "$ML/err"
check "module: ...and fails" grep -q 'rc=1' "$ML/out"
check "module: ...not marked done" test ! -e "$ML/run/wiped"
