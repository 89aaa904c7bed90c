# No secret area (a non-confidential VM, or one launched without a secret): the
# module stays out of the way (no unit, no udev job, no unlock attempt, no wipe;
# without systemd dracut's info line says so), the normal prompt comes, and the
# passphrase typed on the serial console boots.
TEST_DESCRIPTION="dracut: no secret area, the module does nothing, prompt, typed passphrase boots"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	{ cat secret; echo; } >typed
}

test_run() {
	dboot --disk root.img --append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--send-after "$PROMPT" --send-file typed --expect "COCO-READY root"
	refute_log "cocosecret: no secret"
	refute_log "falling back to the passphrase prompt"
	refute_log "cocosecret@"
	refute_log "cocosecret-wipe"
	assert_log "$PROMPT"
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "COCO: secrets dir absent"
}
