# The host's move: the boot fails at the worst moment, while `cocosecret unlock`
# (cocosecret@.service) derives a slow (argon2id) keyslot with the secret in its
# memory: a disk it withholds times out, or any unit fails, and initrd.target's
# OnFailure= starts emergency.target (replace-irreversibly); the emergency shell is
# on the host's console. Unlinking the entry does not reach the copy the binary
# holds: cocosecret-emergency.service waits for the unlock in flight (60 s at most)
# before it wipes and lets the shell start. The binary finishes, wipes every copy
# and exits; then the shell. RAM clean at the shell.
# The failure comes from a test unit in the initramfs (as in 33-dracut-signal-term),
# 1 s after the unlock said "opening" (in the journal), which fails with
# OnFailure=emergency.target and OnFailureJobMode=replace-irreversibly: what
# initrd.target does when a device job fails, at a moment the test chooses.
TEST_DESCRIPTION="dracut: the boot fails mid-unlock: the emergency wipe waits for the unlock in flight, RAM clean at the shell"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	# 128 MiB argon2id: ~11 s under TCG
	mkdisk root.img secret -t luks2 -p argon2id -m 131072
	mktable table.bin "$DISK_GUID=secret"
	# Nice=19: on the VM's one TCG vCPU the keyslot's derivation otherwise starves
	# PID 1, which then started the emergency units up to 6-10 s after the failure,
	# at times after the keyslot had ended (nothing left in flight to test).
	printf '[Unit]\nWants=cocosecret-test-fail.service\n[Service]\nNice=19\n' >fail.conf
	cat >cocosecret-test-fail.service <<'UNIT'
[Unit]
Description=test: the boot fails while the cocosecret unlock is opening the volume
DefaultDependencies=no
OnFailure=emergency.target
OnFailureJobMode=replace-irreversibly

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'i=0; until journalctl -q -b -o cat -t cocosecret-unlock | grep -q "cocosecret: opening"; do i=$((i + 1)); [ $i -lt 600 ] || exit 0; sleep 0.1; done; sleep 1; echo "test: the boot fails mid-unlock" >/dev/kmsg; exit 1'
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
	BOOT_TIMEOUT=300 _boot --dracut-args "--include $T/fail.conf /etc/systemd/system/cocosecret@.service.d/fail.conf --include $T/cocosecret-test-fail.service /etc/systemd/system/cocosecret-test-fail.service" \
		--disk root.img --secret-table table.bin --append "$(luks_root root.img)" \
		--expect "$SHELL_STARTED" --fail-on "COCO-READY root" --fail-on "$PROMPT" \
		--scan-for secret
	assert_log "test: the boot fails mid-unlock"
	assert_log "cocosecret: waiting for the unlock in flight (pid "
	assert_log "cocosecret: the unlock in flight finished after "
	assert_log "cocosecret: wiped secret $DISK_GUID"
	refute_log "killing it"
	# the unlock's start, the failure, the wait, the unlock's end, the shell
	assert_log_order "cocosecret: opening" "test: the boot fails mid-unlock" \
		"waiting for the unlock in flight" "the unlock in flight finished" "$SHELL_STARTED"
	# the wipe (the binary's own, or the emergency unit's) before the shell
	assert_log_order "cocosecret: wiped secret $DISK_GUID" "$SHELL_STARTED"
}
