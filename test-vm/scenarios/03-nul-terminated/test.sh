# GRUB's convention: the injected secret ends with a NUL byte. The passphrase is the
# data before the first NUL (SPEC section 2); the RAM scan looks for both the raw
# entry bytes and the passphrase.
TEST_DESCRIPTION="GRUB-style NUL-terminated secret unlocks the volume"

test_setup() {
	mkpass pass
	{ cat pass; printf '\0'; } >secret
	mkdisk root.img pass -t luks2
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	boot --disk root.img --secret-table table.bin --append "coco.dev=/dev/vda" \
		--expect "COCO-READY root" --fail-on "COCO-READY initrd" --scan-for secret
	assert_unlock 0
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "COCO: entry $DISK_GUID absent"
}
