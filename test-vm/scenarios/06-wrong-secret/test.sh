# The injected secret does not open the volume: `cocosecret unlock` exits 2 and the
# entry is wiped all the same (a wrong secret must not linger either).
TEST_DESCRIPTION="wrong secret: unlock exits 2, entry still wiped, RAM clean"

test_setup() {
	mkpass secret
	mkpass wrong
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=wrong"
}

test_run() {
	boot --disk root.img --secret-table table.bin --append "coco.dev=/dev/vda" \
		--expect "COCO-READY initrd" --fail-on "COCO-READY root" \
		--scan-for wrong --scan-for secret
	assert_log "Created 1 entries in securityfs secrets/coco"
	assert_unlock 2
	assert_log "COCO: initrd entry $DISK_GUID absent"
}
