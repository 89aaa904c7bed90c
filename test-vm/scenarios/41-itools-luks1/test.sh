# LUKS1 root, the crypttab source given as a device path (/dev/vda: cryptroot's hook
# keeps it as written when it cannot resolve it at build time), no discard: the dm
# device does not pass discards down.
TEST_DESCRIPTION="initramfs-tools: LUKS1 root, crypttab source by path"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks1
	printf 'cryptroot /dev/vda none luks,initramfs\n' >crypttab
	itools_image initrd.img crypttab
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	iboot --disk root.img --secret-table table.bin \
		--append "root=/dev/mapper/cryptroot $ITOOLS_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$ITOOLS_PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/vda as cryptroot (keyslot 0)"
	assert_log "COCO: root=/dev/mapper/cryptroot fstype=ext4"
	assert_log "name=cryptroot uuid=CRYPT-LUKS1-"
	assert_log_re "COCO: dm dm-[0-9]+ discard_max_bytes=0"
	assert_log "COCO: entry $DISK_GUID absent"
}
