# SPDX-License-Identifier: GPL-2.0-or-later
# tests/itools.sh - sourced by tests/run: the initramfs-tools integration's
# library (initramfs-tools/scripts/cocosecret-functions) under busybox ash (the
# initramfs's /bin/sh: cryptsetup-initramfs forces BUSYBOX=y), else dash: which crypttab
# entries it opens and with which flags, cryptopts=, the trusted GUIDs and the
# MAC policy, hostile values, the unlock sequence (--keep until the last
# volume, then the wipe), the fallback, headless, and a wipe that fails.  The
# binary is a stub that records its arguments; each case runs in a private
# mount namespace with its command line mounted over /proc/cmdline.
# shellcheck shell=bash disable=SC2154 # $work, $top, ...: tests/run's

IT=$work/itools
IT_SH=dash
command -v busybox >/dev/null 2>&1 && busybox ash -c : 2>/dev/null && IT_SH="busybox ash"
mkdir -p "$IT/etc" "$IT/area" "$IT/mapper" "$IT/secrets"
# itools_run CMDLINE SCRIPT: SCRIPT's output, after sourcing the library with
# the test's paths
itools_run() {
	printf '%s\n' "$1" >"$IT/cmdline"
	cat >"$IT/script.sh" <<-EOS
	. $top/initramfs-tools/scripts/cocosecret-functions
	COCOSECRET=$IT/bin COCOSECRET_TRUSTED=$IT/etc/trusted-guids
	COCOSECRET_AUTH=$IT/etc/require-auth COCOSECRET_AREA=$IT/area
	COCOSECRET_RUN=$IT/run COCOSECRET_WIPED=$IT/run/wiped COCOSECRET_SYSRQ=$IT/sysrq
	COCOSECRET_CRYPTTAB=$IT/crypttab COCOSECRET_MAPPER=$IT/mapper
	COCOSECRET_SECRETS=$IT/secrets COCOSECRET_MODPROBE=true COCOSECRET_SLUMBER=0
	$2
	EOS
	# shellcheck disable=SC2086 # IT_SH: a command and its argument
	unshare -m sh -c 'mount --bind "$1" /proc/cmdline && shift && exec "$@"' sh \
		"$IT/cmdline" $IT_SH "$IT/script.sh" 2>"$IT/err"
}

u1=48e1a96b-49c9-49f9-a8e7-7e49312220e1
u2=e8ee2b37-06df-4615-993c-e21c4883f4a0
g1=0f1e2d3c-4b5a-4697-8877-665544332211
g2=9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
printf '%s\n' "$g1" 'not-a-guid;reboot' >"$IT/etc/trusted-guids"
# the image's crypttab, as cryptroot's hook writes it (mangled, four fields)
cat >"$IT/crypttab" <<CT
# a comment
vda_crypt UUID=$u1 none luks,discard,initramfs
data $IT/vdb none luks,readonly,keyslot=3,initramfs
keyed UUID=$u2 /FIXME-initramfs-rootmnt/etc/keys/k luks
incomplete UUID=$u2
CT

is "itools: the crypttab's entries (comments and incomplete lines skipped)" \
	"vda_crypt UUID=$u1 none luks,discard,initramfs|data $IT/vdb none luks,readonly,keyslot=3,initramfs|keyed UUID=$u2 /FIXME-initramfs-rootmnt/etc/keys/k luks" \
	itools_run "" 'cocosecret_entries | paste -sd "|"'
is "itools: cryptopts= replaces the crypttab, as cryptroot does (target defaults to cryptroot)" \
	"cryptroot /dev/vda none discard|r2 UUID=$u2 none " \
	itools_run "cryptopts=source=/dev/vda,discard cryptopts= cryptopts=target=r2,source=UUID=$u2" \
	'cocosecret_entries | paste -sd "|"'
is "itools: a cryptopts= without source= is skipped" "" \
	itools_run "cryptopts=target=x,discard" 'cocosecret_entries'
uo() { itools_run "" "cocosecret_unlock_opts $1 $2; echo \" rc=\$?\""; }
is "itools options: discard, no-read-workqueue" "--allow-discards --perf-no_read_workqueue  rc=0" \
	uo none luks,discard,no-read-workqueue,initramfs
is "itools options: readonly, same-cpu-crypt, submit-from-crypt-cpus, no-write-workqueue" \
	"--readonly --perf-same_cpu_crypt --perf-submit_from_crypt_cpus --perf-no_write_workqueue  rc=0" \
	uo none read-only,same-cpu-crypt,submit-from-crypt-cpus,no-write-workqueue
is "itools options: keyslot=N, key-slot=N" "--key-slot 3 --key-slot 4  rc=0" uo none keyslot=3,key-slot=4
is "itools options: a keyslot that is not a number: not ours" " rc=1" uo none "keyslot=--all"
is "itools options: a key file: not ours (nobody is prompted)" " rc=1" uo /etc/keys/k luks
is "itools options: a keyscript: not ours" " rc=1" uo none luks,keyscript=decrypt_keyctl
uo_each() { local o; for o in "$@"; do uo none "$o"; done | paste -sd ''; }
is "itools options: plain, tcrypt, bitlk, swap: not ours" " rc=1 rc=1 rc=1 rc=1" uo_each plain tcrypt bitlk swap
is "itools options: a detached header (2): cryptroot opens it" " rc=2" uo none luks,header=/boot/h
is "itools options: no glob expansion" " rc=0" uo none '*'

is "itools: trusted GUIDs: the disk GUID and the image's list (valid ones only)" \
	"$DISK_GUID $g1" itools_run "" 'echo $(cocosecret_trusted)'
is "itools: cocosecret.guid alone when given" "$g2" \
	itools_run "cocosecret.guid=$g2" 'echo $(cocosecret_trusted)'
is "itools: cocosecret.guid must be a GUID" "$DISK_GUID $g1" \
	itools_run "cocosecret.guid=--all" 'echo $(cocosecret_trusted)'
is "itools: cocosecret.timeout must be a number" "" \
	itools_run "cocosecret.timeout=5;reboot" 'cocosecret_cmdline; echo "$COCO_TIMEOUT"'
is "itools: --trust for each, no --require-auth by default" \
	"--trust $DISK_GUID --trust $g1" itools_run "" 'echo $(cocosecret_trust_args)'
echo 1 >"$IT/etc/require-auth"
is "itools: the image requires the header MAC" \
	"--trust $DISK_GUID --trust $g1 --require-auth" itools_run "" 'echo $(cocosecret_trust_args)'
is "itools: cocosecret.auth=0 opts out (the command line is measured)" \
	"--trust $DISK_GUID --trust $g1" itools_run "cocosecret.auth=0" 'echo $(cocosecret_trust_args)'
rm -f "$IT/etc/require-auth"
is "itools: cocosecret.auth=1 opts in" "--trust $DISK_GUID --trust $g1 --require-auth" \
	itools_run "cocosecret.auth=1" 'echo $(cocosecret_trust_args)'
parsed_env() { COCO_PARSED=1 itools_run '' 'cocosecret_cmdline; echo $COCO_ENABLED'; }
is "itools: COCO_PARSED from the environment is not trusted" "1" parsed_env
is "itools: cocosecret=0 disables" "no" itools_run "cocosecret=0" 'cocosecret_wanted && echo yes || echo no'
rmdir "$IT/area"
is "itools: no secret area: nothing to do" "no" itools_run "" 'cocosecret_wanted && echo yes || echo no'
is "itools: ...unless headless (to fail fast)" "yes" \
	itools_run "cocosecret.headless=1" 'cocosecret_wanted && echo yes || echo no'
mkdir "$IT/area"

# the unlock sequence, with a stub binary and block devices of our own
cat >"$IT/bin" <<STUB
#!/bin/sh
echo "\$*" >>"$IT/calls"
case " \$* " in *" unlock "*) exit \${UNLOCK_RC:-0} ;; esac
exit \${WIPE_RC:-0}
STUB
chmod +x "$IT/bin"
itools_mknod() {
	unshare -m true 2>/dev/null || return 1
	mknod "$IT/vda" b 7 250 2>/dev/null && mknod "$IT/vdb" b 7 251 2>/dev/null
}
if itools_mknod; then
	printf 'vda_crypt %s none luks,discard,initramfs\ndata %s none luks,readonly,keyslot=3\nkeyed %s /k luks\n' \
		"$IT/vda" "$IT/vdb" "$IT/vdb" >"$IT/crypttab"
	ua() { rm -rf "$IT/run" "$IT/calls" "$IT/sysrq"; itools_run "$1" 'cocosecret_unlock_all 0; echo "rc=$?"' >"$IT/out"; }
	ua ""
	is "itools unlock: the first volume keeps the entry for the second, the last wipes it" \
		"unlock --timeout 5 --trust $DISK_GUID --trust $g1 --allow-discards --keep $IT/vda vda_crypt|unlock --timeout 5 --trust $DISK_GUID --trust $g1 --readonly --key-slot 3 $IT/vdb data|wipe $DISK_GUID $g1" \
		sh -c "tr -s ' ' <'$IT/calls' | paste -sd '|'"
	check "itools unlock: ...and marks it done" test -e "$IT/run/wiped"
	check "itools unlock: ...says what it opens" grep -q "cocosecret: opening $IT/vda as vda_crypt with the launch secret" "$IT/err"
	ua "cocosecret.guid=$g2 cocosecret.timeout=9 debug"
	is "itools unlock: cocosecret.guid, .timeout and debug reach the binary" \
		"unlock --timeout 9 --trust $g2 --allow-discards --guid $g2 --verbose --keep $IT/vda vda_crypt" \
		sh -c "head -n 1 '$IT/calls' | tr -s ' '"
	rm -rf "$IT/run" "$IT/calls"
	mkdir -m 0700 "$IT/run"
	: >"$IT/run/attempted-vda_crypt"
	itools_run "" 'cocosecret_unlock_all 0' >/dev/null
	is "itools unlock: a settled volume is not tried again (local-block)" \
		"unlock --timeout 5 --trust $DISK_GUID --trust $g1 --readonly --key-slot 3 $IT/vdb data" \
		sh -c "head -n 1 '$IT/calls' | tr -s ' '"
	UNLOCK_RC=2 ua ""
	check "itools unlock: a wrong secret falls back to cryptroot's prompt" \
		grep -q "the secret does not open $IT/vda; falling back to the passphrase prompt" "$IT/err"
	check "itools unlock: ...and the boot goes on" grep -q 'rc=0' "$IT/out"
	check "itools unlock: ...with the entry wiped after the last attempt" grep -q "^wipe $DISK_GUID $g1" "$IT/calls"
	UNLOCK_RC=7 ua ""
	check "itools unlock: a refused header (7) falls back too" \
		grep -q "the LUKS header of $IT/vda is refused (forged or altered); falling back" "$IT/err"
	# headless: no prompt; panic() (here a stub) after the wipe, then power off
	rm -rf "$IT/run" "$IT/calls" "$IT/sysrq"
	UNLOCK_RC=6 itools_run "cocosecret.headless=1" \
		'panic() { echo "panic: $*"; }; poweroff() { echo poweroff; }; cocosecret_unlock_all 0; echo "rc=$?"' >"$IT/out"
	is "itools headless: wipe, panic, power off; no second volume tried, no prompt (rc 1)" \
		"panic: cocosecret: no secret for $IT/vda (headless)|poweroff|rc=1" sh -c "paste -sd '|' '$IT/out'"
	check "itools headless: ...the wipe came first" sh -c "tail -n 1 '$IT/calls' | grep -q '^wipe '"
	is "itools headless: ...and the kernel is asked to power off" o cat "$IT/sysrq"
	check "itools headless: ...one clear line" grep -q "no secret for $IT/vda; cocosecret.headless=1: not prompting, giving up" "$IT/err"
	# a source that is not there: kept for local-block, no wipe yet
	printf 'vda_crypt %s none luks\nlate %s/absent none luks\n' "$IT/vda" "$IT" >"$IT/crypttab"
	ua ""
	is "itools unlock: a volume whose device is not there yet keeps the entry (--keep), no wipe" \
		"unlock --timeout 5 --trust $DISK_GUID --trust $g1 --keep $IT/vda vda_crypt" \
		sh -c "tr -s ' ' <'$IT/calls' | paste -sd '|'"
	check "itools unlock: ...not marked done" test ! -e "$IT/run/wiped"
	rm -f "$IT/vda" "$IT/vdb"
else
	skip "itools unlock sequence: cannot make block device nodes here"
fi

# the final wipe: the trusted GUIDs only; a failure stops the boot
rm -rf "$IT/run" "$IT/calls" "$IT/sysrq"
itools_run "" 'cocosecret_wipe_final; echo "rc=$?"' >"$IT/out"
is "itools final wipe: the trusted GUIDs, nothing the disks name" "wipe $DISK_GUID $g1" cat "$IT/calls"
check "itools final wipe: ...marked done" test -e "$IT/run/wiped"
rm -f "$IT/calls"
itools_run "" 'cocosecret_wipe_final; echo "rc=$?"' >"$IT/out"
check "itools final wipe: ...once" test ! -e "$IT/calls"
rm -rf "$IT/run" "$IT/sysrq"
WIPE_RC=1 itools_run "" 'cocosecret_wipe_final; echo "rc=$?"' >"$IT/out"
is "itools final wipe: a failed wipe asks the kernel to power off" o cat "$IT/sysrq"
check "itools final wipe: ...says so" grep -q 'cannot wipe the launch secret: stopping the boot' "$IT/err"
check "itools final wipe: ...not marked done" test ! -e "$IT/run/wiped"
rm -rf "$IT/run" "$IT/calls"
rmdir "$IT/area"
itools_run "" 'cocosecret_wipe_final; echo "rc=$?"' >"$IT/out"
check "itools final wipe: nothing without a secret area" test ! -e "$IT/calls"
mkdir "$IT/area"

# the scripts: POSIX sh, the initramfs-tools preamble
for f in "$top"/initramfs-tools/scripts/*/cocosecret "$top"/initramfs-tools/hooks/cocosecret; do
	is "itools: ${f#"$top"/initramfs-tools/} prereqs" \
		"$(case $f in */hooks/*) echo cryptroot ;; esac)" dash "$f" prereqs
done

# The hook (build time), with a stand-in for initramfs-tools' hook-functions
# (a tmpfs over /usr/share/initramfs-tools in a private mount namespace: the
# host's is never touched) that records what it is asked to copy.
HK=$IT/hook
mkdir -p "$HK/dest/cryptroot"
cat >"$HK/hook-functions" <<'HF'
copy_exec() { echo "copy_exec $*" >>"$DESTDIR/log"; }
manual_add_modules() { echo "modules $*" >>"$DESTDIR/log"; }
HF
# hook_run [VAR=VALUE...]: run the hook with that environment; the trusted list
# and require-auth it wrote, "|"-joined, or "exit N"
hook_run() {
	rm -rf "$HK/dest/etc" "$HK/dest/log"
	env -i PATH="$PATH" DESTDIR="$HK/dest" COCOSECRET_CONF="$HK/conf" "$@" \
		unshare -m sh -c 'mount -t tmpfs none /usr/share/initramfs-tools &&
			cp "$1" /usr/share/initramfs-tools/hook-functions && exec dash "$2"' sh \
		"$HK/hook-functions" "$top/initramfs-tools/hooks/cocosecret" >"$HK/out" 2>"$HK/err" ||
		{ echo "exit $?"; return 0; }
	cat "$HK/dest/etc/cocosecret/trusted-guids" "$HK/dest/etc/cocosecret/require-auth" 2>/dev/null |
		paste -sd '|'
}
: >"$HK/conf"
: >"$HK/dest/cryptroot/crypttab"
is "itools hook: the disk GUID, no MAC required by default" "$DISK_GUID|0" \
	hook_run COCOSECRET_BINARY="$BIN"
check "itools hook: ...the binary, blkid and the modules" sh -c "grep -qx 'copy_exec $BIN /usr/sbin/cocosecret' '$HK/dest/log' &&
	grep -qx 'copy_exec /sbin/blkid /sbin/blkid' '$HK/dest/log' &&
	grep -qx 'modules efi_secret dm_mod dm_crypt af_alg algif_skcipher algif_hash xts ecb cbc' '$HK/dest/log'"
printf 'COCOSECRET_GUIDS="%s"\n' "$(echo "$g1" | tr a-f A-F)" >"$HK/conf"
is "itools hook: COCOSECRET_GUIDS (in lower case)" "$DISK_GUID|$g1|0" hook_run COCOSECRET_BINARY="$BIN"
printf 'COCOSECRET_GUIDS="not-a-guid"\n' >"$HK/conf"
is "itools hook: a COCOSECRET_GUIDS that is not a GUID fails the build" "exit 1" hook_run COCOSECRET_BINARY="$BIN"
printf 'COCOSECRET_REQUIRE_AUTH=maybe\n' >"$HK/conf"
is "itools hook: COCOSECRET_REQUIRE_AUTH must be yes, no or auto" "exit 1" hook_run COCOSECRET_BINARY="$BIN"
printf 'COCOSECRET_REQUIRE_AUTH=yes\n' >"$HK/conf"
is "itools hook: COCOSECRET_REQUIRE_AUTH=yes" "$DISK_GUID|1" hook_run COCOSECRET_BINARY="$BIN"
: >"$HK/conf"
# (where cocosecret is installed the hook finds it: nothing to test there)
[ -e /usr/sbin/cocosecret ] || [ -e /usr/local/sbin/cocosecret ] ||
	is "itools hook: no binary: a warning, nothing added, the build goes on" "exit 0" \
	sh -c "$(declare -f hook_run); HK=$HK top=$top; hook_run COCOSECRET_BINARY=/nonexistent PATH=/nonexistent:/usr/bin:/bin >/dev/null; test -e '$HK/dest/log' && echo added || echo 'exit 0'"
# an enrolled volume whose token names a GUID of its own, with the header MAC
if head -c 32M /dev/zero >"$HK/enrolled.img" && printf 'admin' >"$HK/admin" &&
	cryptsetup luksFormat --batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
		--key-file "$HK/admin" "$HK/enrolled.img" >/dev/null 2>&1 &&
	"$BIN" enroll --guid "$g2" --key-file "$HK/admin" --secret-out "$HK/secret" \
		"$HK/enrolled.img" >/dev/null 2>&1; then
	is "itools hook: COCOSECRET_VOLUMES: the token's GUID trusted, its MAC required (auto)" \
		"$DISK_GUID|$g2|1" hook_run COCOSECRET_BINARY="$BIN" COCOSECRET_VOLUMES="$HK/enrolled.img"
	printf 'COCOSECRET_REQUIRE_AUTH=no\nCOCOSECRET_VOLUMES="%s"\n' "$HK/enrolled.img" >"$HK/conf"
	is "itools hook: ...from the settings file too; COCOSECRET_REQUIRE_AUTH=no" \
		"$DISK_GUID|$g2|0" hook_run COCOSECRET_BINARY="$BIN"
	: >"$HK/conf"
	printf 'root_crypt %s none luks,initramfs\n' "$HK/enrolled.img" >"$HK/dest/cryptroot/crypttab"
	is "itools hook: the sources of cryptroot's crypttab in the image count" \
		"$DISK_GUID|$g2|1" hook_run COCOSECRET_BINARY="$BIN"
	printf 'root_crypt %s none luks,keyscript=/bin/k\nk2 %s /key luks\n' "$HK/enrolled.img" "$HK/enrolled.img" \
		>"$HK/dest/cryptroot/crypttab"
	is "itools hook: ...not those with a keyscript or a key file (not cocosecret's)" \
		"$DISK_GUID|0" hook_run COCOSECRET_BINARY="$BIN"
	: >"$HK/dest/cryptroot/crypttab"
else
	ko "itools hook: make an enrolled LUKS2 image"
fi
