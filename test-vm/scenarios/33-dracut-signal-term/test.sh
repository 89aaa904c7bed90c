# systemd stops our unit mid-unlock (an isolate, a shutdown or a start timeout
# alike): SIGTERM to every process of the unit while a slow (argon2id) keyslot is
# being opened. The binary blocks TERM from the read of the secret to the last
# wipe: the volume opens, the secret and every copy are wiped, then the signal
# acts. The boot goes on; no copy in RAM. (Without systemd nothing sends the unlock
# a signal; 31-signal-term tests the binary itself.)
# The TERM comes from a test unit in the initramfs, 1 s after the unlock said
# "opening" (in the journal): a start timeout would also catch the shell script
# before the binary when a busy host slows the unit's start.
TEST_DESCRIPTION="dracut: systemd TERMs the unlock mid-keyslot: still opens and wipes, RAM clean"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	# 128 MiB argon2id: ~11 s under TCG
	mkdisk root.img secret -t luks2 -p argon2id -m 131072
	mktable table.bin "$DISK_GUID=secret"
	printf '[Unit]\nWants=cocosecret-test-term.service\n' >term.conf
	cat >cocosecret-test-term.service <<'UNIT'
[Unit]
Description=test: SIGTERM to the cocosecret unlock once it is opening the volume
DefaultDependencies=no

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'i=0; until journalctl -q -b -o cat -t cocosecret-unlock | grep -q "cocosecret: opening"; do i=$((i + 1)); [ $i -lt 600 ] || exit 1; sleep 0.1; done; sleep 1; echo "test: SIGTERM to cocosecret@*" >/dev/kmsg; systemctl kill --signal=SIGTERM "cocosecret@*.service"'
UNIT
}

test_run() {
	_boot --dracut-args "--include $T/term.conf /etc/systemd/system/cocosecret@.service.d/term.conf --include $T/cocosecret-test-term.service /etc/systemd/system/cocosecret-test-term.service" \
		--disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "test: SIGTERM to cocosecret@*"
	assert_log "signal 15 arrived during the unlock: every copy of the secret is wiped"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "COCO: entry $DISK_GUID absent"
}
