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
is "module: a plain rd.luks.name is kept" "$u1 vda3_crypt -" \
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

# crypttab: names and options as dracut's cryptroot-ask (no systemd) and
# systemd-cryptsetup-generator (systemd) find them; the unlock's options
u2=e8ee2b37-06df-4615-993c-e21c4883f4a0
cat >"$ML/crypttab" <<CT
# the Debian installer's kind of entry
vda3_crypt UUID=$u1 none luks,discard,no-read-workqueue
data /dev/disk/by-uuid/$u2 none luks,readonly
luks-$g1 /dev/vdc none luks,header=/boot/hdr.img
swapped /dev/vdd /dev/urandom swap
CT
ct() { # ct CMDLINE [systemd]: the targets with this crypttab
	modlib_run "$1" "COCOSECRET_CRYPTTAB=$ML/crypttab ${2:+DRACUT_SYSTEMD=1} cocosecret_targets"
}
is "crypttab: a UUID= entry names the volume (no systemd)" "$u1 vda3_crypt luks,discard,no-read-workqueue" \
	ct "rd.luks.uuid=$u1"
is "crypttab: ...and with systemd" "$u1 vda3_crypt luks,discard,no-read-workqueue" ct "rd.luks.uuid=$u1" systemd
is "crypttab: a by-uuid path counts for systemd" "$u2 data luks,readonly" ct "rd.luks.uuid=$u2" systemd
is "crypttab: ...not for cryptroot-ask without the device" "$u2 luks-$u2 -" ct "rd.luks.uuid=$u2"
is "crypttab: a luks-UUID name counts for systemd" "$g1 luks-$g1 luks,header=/boot/hdr.img" ct "rd.luks.uuid=$g1" systemd
is "crypttab: rd.luks.crypttab=0 ignores it" "$u1 luks-$u1 -" ct "rd.luks.uuid=$u1 rd.luks.crypttab=0" systemd
is "crypttab: rd.luks.name keeps its name without systemd (cryptroot-ask compares with it)" "$u1 root -" \
	ct "rd.luks.name=$u1=root"
is "crypttab: ...with systemd crypttab's name wins" "$u1 vda3_crypt luks,discard,no-read-workqueue" \
	ct "rd.luks.name=$u1=root" systemd
is "crypttab: rd.luks.options for the UUID replaces crypttab's" "$u1 vda3_crypt discard" \
	ct "rd.luks.uuid=$u1 rd.luks.options=$u1=discard" systemd
is "crypttab: a global rd.luks.options only for volumes crypttab lacks" "$u1 vda3_crypt luks,discard,no-read-workqueue
$g2 luks-$g2 no-write-workqueue" ct "rd.luks.uuid=$u1 rd.luks.uuid=$g2 rd.luks.options=no-write-workqueue" systemd
is "crypttab: systemd without rd.luks.uuid opens every entry with a UUID" "$u1 vda3_crypt luks,discard,no-read-workqueue
$u2 data luks,readonly
$g1 luks-$g1 luks,header=/boot/hdr.img" ct "" systemd
is "crypttab: without systemd nothing is opened without rd.luks.uuid" "" ct ""
ln -sf /dev/null "$ML/vdx"
printf 'byname %s none luks\n' "$ML/vdx" >"$ML/crypttab2"
is "crypttab: a device path matches the device itself (cryptroot-ask)" "$u1 byname luks" \
	modlib_run "rd.luks.uuid=$u1" "COCOSECRET_CRYPTTAB=$ML/crypttab2 cocosecret_targets /dev/null"
uo() { modlib_run "$1" "cocosecret_unlock_opts $2 $3; echo \" rc=\$?\""; }
is "options: discard, no-read-workqueue" "--allow-discards --perf-no_read_workqueue  rc=0" uo "" "$u1" luks,discard,no-read-workqueue
is "options: readonly, same-cpu-crypt, submit-from-crypt-cpus, no-write-workqueue" \
	"--readonly --perf-same_cpu_crypt --perf-submit_from_crypt_cpus --perf-no_write_workqueue  rc=0" \
	uo "" "$u1" read-only,same-cpu-crypt,submit-from-crypt-cpus,no-write-workqueue
is "options: a detached header is refused (2)" " rc=2" uo "" "$u1" luks,header=/boot/h
is "options: swap is not ours (1)" " rc=1" uo "" "$u1" swap
is "options: rd.luks.allow-discards for every volume" "--allow-discards  rc=0" uo "rd.luks.allow-discards" "$u1" -
is "options: rd.luks.allow-discards=UUID prefix" "--allow-discards  rc=0" uo "rd.luks.allow-discards=luks-${u1%%-*}" "$u1" -
is "options: rd.luks.allow-discards for another volume" " rc=0" uo "rd.luks.allow-discards=$u2" "$u1" -

# the emergency wipe waits for an unlock in flight (by /proc/PID/comm), then
# kills it after the bound: a copy of sleep under a name no real process has
# (the library's own name, cocosecret, would match other runs' binaries)
# (each case waits until the child has exec'd: before, its comm is dash's)
cp "$(command -v sleep)" "$ML/cocoinflight"
started='until read -r c </proc/$!/comm && [ "$c" = cocoinflight ]; do :; done;'
modlib_run "" "t0=\$(date +%s); $ML/cocoinflight 2 & $started cocosecret_wait_inflight cocoinflight; echo \"rc=\$? \$((\$(date +%s) - t0))\"" >"$ML/out"
check "module: the emergency wipe waits for an unlock in flight to finish" grep -qE '^rc=0 [2-4]$' "$ML/out"
check "module: ...and says so" sh -c "grep -q 'waiting for the unlock in flight (pid [0-9]*)' '$ML/err' && grep -q 'the unlock in flight finished after' '$ML/err'"
modlib_run "" "COCOSECRET_INFLIGHT_WAIT=1; $ML/cocoinflight 60 & p=\$!; $started cocosecret_wait_inflight cocoinflight; echo \"rc=\$?\"; wait \$p; echo \"status=\$?\"" >"$ML/out"
check "module: ...kills it (SIGKILL) after the bound" sh -c "grep -qx 'rc=0' '$ML/out' && grep -qx 'status=137' '$ML/out'"
check "module: ...and says so" grep -q 'the unlock in flight still runs after [0-9]* s: killing it' "$ML/err"
modlib_run "" 'cocosecret_wait_inflight cocoinflight; echo "rc=$?"' >"$ML/out"
check "module: nothing in flight: no wait, no line" sh -c "grep -qx 'rc=0' '$ML/out' && ! grep -q 'in flight' '$ML/err'"
