# A non-confidential boot: no secret table, so no EFI secret area at all. `cocosecret
# unlock` must give its "no secret available" code (6) quickly so that an initramfs can
# fall back to a prompt.
TEST_DESCRIPTION="no secret area: unlock exits 6 within 2 s"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
}

test_run() {
	boot --disk root.img --append "coco.dev=/dev/vda coco.status=1" \
		--expect "COCO-READY initrd" --fail-on "COCO-READY root" --scan-for secret
	refute_log "CocoSecret="
	assert_log "cocosecret-injector: no opt/org.cocosecret/secret-table"
	assert_unlock 6 2000
	assert_log "COCO: initrd entry $DISK_GUID absent"
	assert_log "secret area: absent"
}
