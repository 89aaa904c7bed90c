# The secret sits under a GUID of the user's choosing, passed to `unlock --guid` from
# the kernel command line. A decoy entry under the disk-passphrase GUID holds a wrong
# passphrase: unlocking proves --guid was honoured, and the decoy, which cocosecret
# was not told to use, must survive. A given NAME is used for the mapping.
TEST_DESCRIPTION="secret under a custom GUID (--guid from the command line), other entries kept"

GUID=4f5d1c2b-8a3e-4b6f-9c7d-2e1f0a9b8c7d

test_setup() {
	mkpass secret
	mkpass decoy
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=decoy" "$GUID=secret"
}

test_run() {
	boot --disk root.img --secret-table table.bin \
		--append "coco.dev=/dev/vda coco.name=cryptroot coco.args=--guid,$GUID coco.check=$GUID,$DISK_GUID" \
		--expect "COCO-READY root" --fail-on "COCO-READY initrd" --scan-for secret
	assert_log "Created 2 entries in securityfs secrets/coco"
	assert_unlock 0
	assert_log "COCO: root=/dev/mapper/cryptroot fstype=ext4"
	assert_log "COCO: entry $GUID absent"
	assert_log "COCO: entry $DISK_GUID present"
}
