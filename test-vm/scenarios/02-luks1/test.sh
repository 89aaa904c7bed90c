# A LUKS1 root (made offline: LUKS2 reencryption, then `cryptsetup convert --type
# luks1`). The initramfs does not load efi_secret here: cocosecret must load it itself.
TEST_DESCRIPTION="LUKS1 root; cocosecret loads efi_secret itself"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks1
	cryptsetup luksDump root.img | grep -q '^Version:[[:space:]]*1$' || fail "not LUKS1"
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	boot --disk root.img --secret-table table.bin \
		--append "coco.dev=/dev/vda coco.efi_secret=0" \
		--expect "COCO-READY root" --fail-on "COCO-READY initrd" --scan-for secret
	assert_unlock 0
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "uuid=CRYPT-LUKS1-"
	assert_log "COCO: efi_secret loaded"
	assert_log "COCO: entry $DISK_GUID absent"
}
