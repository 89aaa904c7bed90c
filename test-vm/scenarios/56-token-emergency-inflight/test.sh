# dracut -a cocosecret-token. The host's move: the boot fails at the worst moment,
# while systemd-cryptsetup, which the plugin has handed the secret over to, derives a
# slow (argon2id) keyslot with it in its memory: a disk the host withholds times out,
# or any unit fails, and initrd.target's OnFailure= starts emergency.target
# (replace-irreversibly); the emergency shell is on the host's console. Unlinking the
# entry does not reach systemd-cryptsetup's copies: cocosecret-token-emergency.service
# waits for the unlock in flight (30 s at most, then SIGKILL) before it wipes and
# lets the shell start. systemd-cryptsetup opens the volume, libcryptsetup and
# systemd-cryptsetup wipe their copies, it exits; then the wipe, then the shell. RAM
# clean at the shell.
# The failure comes from a test unit in the initramfs, 1 s after the plugin said it
# handed the secret over (its journal line "... for cocosecret token N ..."), which
# fails with OnFailure=emergency.target and OnFailureJobMode=replace-irreversibly:
# what initrd.target does when a device job fails, at a moment the test chooses.
TEST_DESCRIPTION="token: the boot fails mid-keyslot: the emergency wipe waits for systemd-cryptsetup, RAM clean at the shell"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass passphrase
	mkpass secret
	mkdisk root.img passphrase -t luks2
	# the secret's keyslot: argon2id, 128 MiB, 8 passes: 11-14 s under TCG (64 MiB
	# and 4 passes took ~4 s). A generated secret gets PBKDF2 at the minimum: a
	# --secret-file takes the options.
	"$COCOSECRET_BIN" enroll --key-file passphrase --secret-file secret \
		--pbkdf argon2id --pbkdf-memory 131072 --pbkdf-force-iterations 8 root.img
	mktable table.bin "$DISK_GUID=secret"
	# Nice=19: on the VM's one TCG vCPU libcryptsetup's 4 argon2 threads otherwise
	# starve PID 1, which then started the emergency units up to 10 s after the
	# failure, at times after the keyslot had ended (nothing left in flight to test).
	printf '[Unit]\nWants=cocosecret-test-fail.service\n[Service]\nNice=19\n' >fail.conf
	cat >cocosecret-test-fail.service <<'UNIT'
[Unit]
Description=test: the boot fails while systemd-cryptsetup opens the volume with the secret
DefaultDependencies=no
OnFailure=emergency.target
OnFailureJobMode=replace-irreversibly

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'i=0; until journalctl -q -b -o cat | grep -q "for cocosecret token "; do i=$((i + 1)); [ $i -lt 600 ] || exit 0; sleep 0.1; done; sleep 1; echo "test: the boot fails mid-keyslot" >/dev/kmsg; exit 1'
UNIT
}

# The RAM scan happens the moment systemd has started the shell's unit:
# "Reached target emergency.target - Emergency Mode." (emergency.target is ordered
# after emergency.service, which is ordered after the emergency wipe). dracut's
# "Entering emergency mode" comes seconds later under TCG (dracut-emergency sources
# its library and hooks first): an unlock in flight that the wipe did not wait for
# has often finished on its own by then, and a scan at that text missed it (both
# scenarios passed their RAM scan without the wait).
SHELL_STARTED="- Emergency Mode."

test_run() {
	# rd.shell is on (dracut's default): the shell is what the host wants
	BOOT_TIMEOUT=300 tboot --dracut-args "--include $T/fail.conf /etc/systemd/system/systemd-cryptsetup@.service.d/fail.conf --include $T/cocosecret-test-fail.service /etc/systemd/system/cocosecret-test-fail.service" \
		--disk root.img --secret-table table.bin --append "$(luks_root root.img) $TOKEN_CMDLINE" \
		--expect "$SHELL_STARTED" --fail-on "COCO-READY root" --fail-on "$PROMPT" \
		--scan-for secret
	assert_log_re "${SDC_RE}cocosecret: /dev/disk/by-uuid/$(luks_uuid root.img): secret $DISK_GUID ${TOKEN_USED}0 \(keyslot 1, header authenticated\)"
	assert_log "test: the boot fails mid-keyslot"
	assert_log "cocosecret: waiting for the unlock in flight (pid "
	assert_log "cocosecret: the unlock in flight finished after "
	assert_log "cocosecret: wiped secret $DISK_GUID"
	refute_log "killing it"
	refute_module_units
	# the plugin read, the failure, the wait, the unlock's end, the emergency wipe, the shell
	assert_log_order "$TOKEN_USED" "test: the boot fails mid-keyslot" \
		"waiting for the unlock in flight" "the unlock in flight finished" \
		"Finished cocosecret-token-emergency.service" "$SHELL_STARTED"
}
