# systemd stops our unit mid-unlock (its start timeout here; an isolate or a
# shutdown alike): SIGTERM to every process of the unit while a slow (argon2id)
# keyslot is being opened. The binary blocks TERM from the read of the secret to
# the last wipe: the volume opens, the secret and every copy are wiped, then the
# signal acts. The boot goes on; no copy in RAM. (Without systemd nothing sends
# the unlock a signal; 31-signal-term tests the binary itself.)
TEST_DESCRIPTION="dracut: systemd TERMs the unlock mid-keyslot: still opens and wipes, RAM clean"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2 -p argon2id -m 65536
	mktable table.bin "$DISK_GUID=secret"
	printf '[Service]\nTimeoutStartSec=1s\n' >timeout.conf
}

test_run() {
	_boot --dracut-args "--include $T/timeout.conf /etc/systemd/system/cocosecret@.service.d/timeout.conf" \
		--disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "signal 15 arrived during the unlock: every copy of the secret is wiped"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "COCO: entry $DISK_GUID absent"
}
