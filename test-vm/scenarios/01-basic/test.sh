# The main path: a LUKS2 root whose passphrase is injected under the disk-passphrase
# GUID. The initramfs runs `cocosecret unlock`, mounts the volume and switch_roots; in
# the real root the securityfs entry is gone and guest RAM holds no copy of the secret.
TEST_DESCRIPTION="LUKS2 root unlocked from the injected disk passphrase, entry wiped, RAM clean"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	boot --disk root.img --secret-table table.bin --append "coco.dev=/dev/vda coco.args=--verbose coco.status=1" \
		--expect "COCO-READY root" --fail-on "COCO-READY initrd" --scan-for secret
	assert_log_re "efi: .*CocoSecret=0x"
	assert_log "Created 1 entries in securityfs secrets/coco"
	assert_unlock 0
	assert_log "COCO: real root init"
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "uuid=CRYPT-LUKS2-"
	assert_log "COCO: entry $DISK_GUID absent"
	assert_log "COCO: fw_cfg sysfs absent"
	# efi_secret reads through seq_file: its freed buffer held a copy until refilled
	assert_log_re "kernel read buffer of the wiped entry refilled \(43 bytes\)"
	assert_log "secret area: present"
	assert_log "entries: 0"
}
