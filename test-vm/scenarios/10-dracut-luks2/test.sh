# dracut -a cocosecret, root on LUKS2 named by rd.luks.uuid: cocosecret unlocks it
# before the prompt, the disk-passphrase entry is wiped before switch_root, and an
# unrelated entry (an attestation agent's key, say) survives into the real root.
TEST_DESCRIPTION="dracut: LUKS2 root unlocked, entry wiped once, unrelated entry kept, RAM clean"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

AGENT_GUID=9a0c3b6e-1f2d-4c8b-a7e5-3d6f8b1c2e4a

test_setup() {
	mkpass secret
	mkpass agentkey
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=secret" "$AGENT_GUID=agentkey"
}

test_run() {
	dboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) $DRACUT_CMDLINE coco.check=$DISK_GUID,$AGENT_GUID" \
		--expect "COCO-READY root" --fail-on "$PROMPT" \
		--scan-for secret
	assert_log "Created 2 entries in securityfs secrets/coco"
	assert_log "cocosecret: unlocked /dev/"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "COCO: entry $DISK_GUID absent"
	assert_log "COCO: entry $AGENT_GUID present"
	refute_log "cocosecret: wiped secret $AGENT_GUID"
	# wiped once, right after the unlock: no later wipe, no pre-pivot run for it
	refute_log "cocosecret-wipe.s"
	refute_log "pre-pivot and cleanup hook"
}
