# rd.cocosecret.guid= picks the entry, and only that entry is the module's: the
# one under the disk-passphrase GUID is not touched.
TEST_DESCRIPTION="dracut: rd.cocosecret.guid picks and wipes only its entry"
TEST_MODES="systemd nosystemd"

GUID=0f1e2d3c-4b5a-4697-8877-665544332211

test_setup() {
	mkpass secret
	mkpass other
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=other" "$GUID=secret"
}

test_run() {
	dboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) rd.cocosecret.guid=$GUID $DRACUT_CMDLINE coco.check=$GUID,$DISK_GUID" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/"
	assert_log "COCO: entry $GUID absent"
	assert_log "COCO: entry $DISK_GUID present"
}
