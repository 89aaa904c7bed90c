# LVM on LUKS: the volume group inside the encrypted volume comes up after the unlock.
TEST_DESCRIPTION="dracut: LVM on LUKS root"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2 -l cocovg/root
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	dboot --disk root.img --secret-table table.bin \
		--append "rd.luks.uuid=$(luks_uuid root.img) rd.lvm.lv=cocovg/root root=/dev/mapper/cocovg-root $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/"
	assert_log "COCO: root=/dev/mapper/cocovg-root fstype=ext4"
	assert_log "name=cocovg-root uuid=LVM-"
	assert_log "COCO: entry $DISK_GUID absent"
}
