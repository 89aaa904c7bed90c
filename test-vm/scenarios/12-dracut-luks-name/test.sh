# rd.luks.name=UUID=NAME: the mapping gets the user's name, in both modes.
TEST_DESCRIPTION="dracut: rd.luks.name custom mapping name honoured"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	local uuid
	uuid=$(luks_uuid root.img)
	dboot --disk root.img --secret-table table.bin \
		--append "rd.luks.uuid=$uuid rd.luks.name=$uuid=cryptroot root=/dev/mapper/cryptroot $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/"
	assert_log " as cryptroot (keyslot 0)"
	assert_log "COCO: root=/dev/mapper/cryptroot fstype=ext4"
	assert_log "COCO: entry $DISK_GUID absent"
}
