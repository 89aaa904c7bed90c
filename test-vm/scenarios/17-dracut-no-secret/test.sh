# No secret area (a non-confidential VM): one line, then the normal prompt; the
# passphrase typed on the serial console boots the VM.
TEST_DESCRIPTION="dracut: no secret table, falls back to the prompt, typed passphrase boots"
TEST_MODES="systemd nosystemd"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	{ cat secret; echo; } >typed
}

test_run() {
	dboot --disk root.img --append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--send-after "$PROMPT" --send-file typed --expect "COCO-READY root"
	assert_log "cocosecret: no secret $DISK_GUID for /dev/"
	assert_log "falling back to the passphrase prompt"
	assert_log "$PROMPT"
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "COCO: secrets dir absent"
}
