# LVM on LUKS: cocosecret opens the crypttab volume; lvm2's udev rules in the
# initramfs activate the volume group inside; root=/dev/mapper/cocovg-root.
TEST_DESCRIPTION="initramfs-tools: LVM on LUKS root"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2 -l cocovg/root
	printf 'vda_crypt UUID=%s none luks,initramfs\n' "$(luks_uuid root.img)" >crypttab
	itools_image initrd.img crypttab
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	iboot --disk root.img --secret-table table.bin \
		--append "root=/dev/mapper/cocovg-root $ITOOLS_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$ITOOLS_PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/vda as vda_crypt (keyslot 0)"
	assert_log "COCO: root=/dev/mapper/cocovg-root fstype=ext4"
	assert_log "name=cocovg-root uuid=LVM-"
	assert_log "name=vda_crypt uuid=CRYPT-LUKS2-"
	assert_log "COCO: entry $DISK_GUID absent"
}
