# testlib.sh - helpers for test-vm scenarios (sourced by test-vm/run, bash).
#
# A scenario is test-vm/scenarios/NN-name/test.sh defining TEST_DESCRIPTION,
# test_setup() and test_run() (dracut's test/TEST-* shape). Both run in the scenario's
# own output directory ($T = test-vm/out/scenarios/NN-name), with `set -eu`; any
# failing command or assertion fails the scenario.
#
# Provided by test-vm/run:
#   TESTVM        test-vm/ directory         TESTVM_KDIR   test kernel cache directory
#   TESTVM_INITRD busybox initramfs image    TESTVM_ROOTFS real-root tree for disks
#   COCOSECRET_BIN the binary under test     T             this scenario's output dir

DISK_GUID=736869e5-84f0-4973-92ec-06879ce3da0b

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# mkpass FILE [BYTES]: a random text passphrase (base64url of BYTES random bytes,
# default 32), without a newline.
mkpass() {
	head -c "${2:-32}" /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' >"$1"
}

# mkdisk IMG KEYFILE [mkdisk options]: an encrypted root disk (default LUKS2, pbkdf2).
mkdisk() {
	local img=$1 key=$2
	shift 2
	"$TESTVM/lib/mkdisk" -o "$img" -k "$key" -r "$TESTVM_ROOTFS" "$@"
}

# mkenrolled IMG: a LUKS2 root disk with an admin passphrase (file passphrase)
# and, through `cocosecret enroll` as docs/GUIDE.md does it, a generated secret
# (file secret) with its keyslot and its token (with the header MAC).
mkenrolled() {
	mkpass passphrase
	mkdisk "$1" passphrase -t luks2
	"$COCOSECRET_BIN" enroll --key-file passphrase --secret-out secret "$1"
}

# dboot_refused TEXT [test-vm/boot options]: a dracut boot in which cocosecret
# refuses the LUKS header (the host's move): TEXT on the console, the entry
# wiped, the prompt follows and the real root is never reached; RAM clean.
dboot_refused() {
	local text=$1
	shift
	dboot "$@" --expect "$PROMPT" --fail-on "COCO-READY root" --scan-for secret
	assert_log "header refused: $text"
	assert_log "cocosecret: wiped secret $DISK_GUID"
}

# mktable OUT GUID=FILE...: a secret table (sevctl layout).
mktable() {
	local out=$1
	shift
	python3 "$TESTVM/lib/secrettable.py" build -o "$out" "$@"
}

# luks_uuid IMG
luks_uuid() {
	cryptsetup luksUUID "$1"
}

# _boot [test-vm/boot options]: run test-vm/boot with this scenario's log and timeout;
# the time it took goes to BOOT_SECONDS.
_boot() {
	local t0 rc=0
	t0=$(date +%s.%N)
	"$TESTVM/boot" --log "$T/serial.log" --timeout "${BOOT_TIMEOUT:-240}" "$@" || rc=$?
	BOOT_SECONDS=$(echo "$(date +%s.%N) - $t0" | bc)
	printf 'boot: %.1f s\n' "$BOOT_SECONDS"
	[ "$rc" = 0 ] || fail "test-vm/boot exited $rc"
}

# boot [test-vm/boot options]: boot with the busybox initramfs; serial log in
# $T/serial.log. Fails the scenario when test-vm/boot fails.
boot() {
	_boot --initrd "$TESTVM_INITRD" "$@"
}

# What every dracut scenario's kernel command line holds: no emergency shell (a
# failure powers the VM off instead of waiting at a shell).
DRACUT_CMDLINE="rd.shell=0 rd.emergency=poweroff"
# The passphrase prompt, in both modes: systemd's "Please enter passphrase for disk
# NAME" and cryptsetup's "Enter passphrase for DEVICE" (dracut's cryptroot-ask).
PROMPT="nter passphrase for"

# dboot [test-vm/boot options]: boot with the initramfs that the real
# `dracut -a cocosecret` makes in $MODE: systemd (dracut's default with its systemd
# module) or nosystemd (--omit systemd systemd-initrd dracut-systemd).
dboot() {
	case "$MODE" in
	systemd) _boot --dracut-args "" "$@" ;;
	nosystemd) _boot --dracut-args '--omit "systemd systemd-initrd dracut-systemd"' "$@" ;;
	*) fail "MODE is '$MODE': a dracut scenario needs TEST_MODES" ;;
	esac
}

# luks_root IMG [NAME]: the kernel arguments for a LUKS root on IMG mapped as NAME.
luks_root() {
	local uuid
	uuid=$(luks_uuid "$1")
	echo "rd.luks.uuid=$uuid root=/dev/mapper/${2:-luks-$uuid}"
}

# assert_log TEXT: the serial log contains TEXT (fixed string).
assert_log() {
	grep -qF -- "$1" "$T/serial.log" || fail "serial log lacks '$1'"
	echo "ok: '$1'"
}

# assert_log_re REGEX: the serial log matches an extended regular expression.
assert_log_re() {
	grep -qE -- "$1" "$T/serial.log" || fail "serial log does not match /$1/"
	echo "ok: /$1/"
}

# refute_log TEXT: the serial log does not contain TEXT.
refute_log() {
	! grep -qF -- "$1" "$T/serial.log" || fail "serial log shows '$1'"
	echo "ok: no '$1'"
}

# assert_log_order TEXT TEXT...: each TEXT is in the serial log, and the first line
# holding each comes strictly after the first line holding the one before (fixed
# strings), e.g. the wipe before the shell.
assert_log_order() {
	local text line prev=0 prevtext="" lines=""
	for text in "$@"; do
		line=$(grep -anF -- "$text" "$T/serial.log" | head -n 1 | cut -d: -f1)
		[ -n "$line" ] || fail "serial log lacks '$text'"
		[ "$line" -gt "$prev" ] ||
			fail "'$text' (line $line) does not come after '$prevtext' (line $prev)"
		prev=$line prevtext=$text lines="$lines $line"
	done
	echo "ok: in this order (lines$lines): $*"
}

# log_value KEY: the value of the last "KEY=value" on the console (e.g. elapsed_ms).
log_value() {
	grep -oE -- "$1=[^ ]*" "$T/serial.log" | tail -n 1 | cut -d= -f2 | tr -d '\r'
}

# assert_unlock RC [MAX_MS]: the initramfs reported `cocosecret unlock` exit code RC
# (within MAX_MS milliseconds).
assert_unlock() {
	assert_log "COCO: unlock rc=$1 "
	local ms
	ms=$(log_value elapsed_ms)
	echo "unlock took $ms ms"
	if [ -n "${2:-}" ]; then
		[ "$ms" -le "$2" ] || fail "unlock took $ms ms (limit $2 ms)"
	fi
}

# --- initramfs-tools scenarios (40-49) ---------------------------------------
# The prompt of cryptsetup-initramfs's cryptroot (askpass): "Please unlock disk NAME: ".
ITOOLS_PROMPT="Please unlock disk"
# What these scenarios' kernel command line holds: initramfs-tools' panic()
# reboots at once with test-vm's panic=-1 (QEMU -no-reboot: the VM stops), and
# the root device is waited for 20 s at most.
ITOOLS_CMDLINE="rootdelay=20"

# itools_image OUT CRYPTTAB [lib/initramfs-tools image options]: an initramfs made by
# Debian 12's mkinitramfs (initramfs-tools + cryptsetup-initramfs + lvm2 + cocosecret's
# hook and scripts from the checkout) for the test kernel, in the cached bookworm chroot,
# with CRYPTTAB as its /etc/crypttab. Fails when the host's own initramfs setup
# (lib/host-state: /boot, the generators' packages and configuration) changed meanwhile.
itools_image() {
	local out=$1 crypttab=$2 before after t0
	shift 2
	# the chroot first: building it may install debootstrap (scripts/deps.sh)
	"$TESTVM/lib/initramfs-tools" chroot >/dev/null || fail "no bookworm chroot"
	before=$("$TESTVM/lib/host-state")
	t0=$(date +%s.%N)
	"$TESTVM/lib/initramfs-tools" image -k "$TESTVM_KDIR" -b "$COCOSECRET_BIN" -o "$out" \
		-c "$crypttab" -l "$T/mkinitramfs.log" "$@" ||
		fail "mkinitramfs failed (log: $T/mkinitramfs.log)"
	printf 'mkinitramfs: %s bytes in %.1f s\n' "$(stat -c %s "$out")" \
		"$(echo "$(date +%s.%N) - $t0" | bc)"
	after=$("$TESTVM/lib/host-state")
	if [ "$before" != "$after" ]; then
		diff <(echo "$before") <(echo "$after") | head -n 20
		fail "the host's /boot or initramfs setup changed while the image was built"
	fi
	echo "ok: the host's /boot and initramfs setup are untouched"
}

# iboot [test-vm/boot options]: boot with the scenario's initramfs-tools image
# ($T/initrd.img, from itools_image).
iboot() {
	_boot --initrd "$T/initrd.img" "$@"
}

# --- the token plugin's initramfs (dracut -a cocosecret-token, scenarios 50-) ---
# journald forwards the journal to the console: systemd-cryptsetup's lines and the
# plugin's (through libcryptsetup's log, crypt_log) appear on the serial log.
# init_on_free=1, as docs/TOKEN.md asks for every token image: the plugin keeps the
# entry (its read leaves efi_secret's seq_file buffer freed, uncleared).
TOKEN_CMDLINE="systemd.journald.forward_to_console=1 init_on_free=1"
# What the plugin says when it hands a secret over (log_verbose in
# token/cocosecret-token.c): "<dev>: secret <GUID> for cocosecret token N (keyslot K...".
TOKEN_USED="for cocosecret token "

# The start of a systemd-cryptsetup journal line on the console, as an ERE: systemd
# 257 wraps error lines in colour escapes ("ESC[0;1;31m...").
SDC_RE='systemd-cryptsetup\[[0-9]+\]: (.\[[0-9;]*m)?'

# tboot [test-vm/boot options]: boot with the initramfs that the real
# `dracut -a cocosecret-token` makes (systemd mode only: systemd-cryptsetup runs
# the plugin), plus the checkout's build/token plugin ($COCOSECRET_TOKEN_PLUGIN).
tboot() {
	[ "$MODE" = systemd ] || fail "MODE is '$MODE': the token module needs systemd"
	_boot --dracut-module cocosecret-token "$@"
}

# refute_module_units: none of 50cocosecret's own unlock or wipe ran (its
# lines and units), so what opened the volumes is systemd-cryptsetup.
refute_module_units() {
	refute_log "cocosecret@"
	refute_log "cocosecret-unlock"
	refute_log "cocosecret: unlocked /dev/"
	refute_log "Wipe the launch secrets before switching root (cocosecret)"
}
