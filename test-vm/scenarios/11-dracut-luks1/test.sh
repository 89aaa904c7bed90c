# dracut -a cocosecret with a LUKS1 root.
TEST_DESCRIPTION="dracut: LUKS1 root unlocked, entry wiped, RAM clean"
TEST_MODES="systemd nosystemd"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks1
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	dboot --disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/"
	assert_log "uuid=CRYPT-LUKS1-"
	assert_log "COCO: entry $DISK_GUID absent"
}
