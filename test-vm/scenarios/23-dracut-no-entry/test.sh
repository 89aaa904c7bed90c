# A secret area without an entry for this disk (only another one, an attestation
# agent's key, say): one line, then the normal prompt; the passphrase typed on the
# serial console boots, and the other entry survives into the real root.
TEST_DESCRIPTION="dracut: secret area without our entry, falls back to the prompt, other entry kept"
TEST_MODES="systemd nosystemd"

AGENT_GUID=9a0c3b6e-1f2d-4c8b-a7e5-3d6f8b1c2e4a

test_setup() {
	mkpass secret
	mkpass agentkey
	mkdisk root.img secret -t luks2
	mktable table.bin "$AGENT_GUID=agentkey"
	{ cat secret; echo; } >typed
}

test_run() {
	dboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) $DRACUT_CMDLINE coco.check=$DISK_GUID,$AGENT_GUID" \
		--send-after "$PROMPT" --send-file typed --expect "COCO-READY root"
	assert_log "cocosecret: no secret $DISK_GUID for /dev/"
	assert_log "falling back to the passphrase prompt"
	assert_log "$PROMPT"
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "COCO: entry $AGENT_GUID present"
	assert_log "COCO: entry $DISK_GUID absent"
	refute_log "cocosecret: wiped secret $AGENT_GUID"
}
