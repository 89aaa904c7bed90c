# The VM is reset (QMP system_reset) in the middle of the initramfs unlock, right as
# efi_secret shows the entry: the next boot unlocks cleanly. Then what a user sees
# once the secret was consumed: a launch secret is injected once, so after the first
# boot wiped it a reset finds the area as Linux left it (--inject-once: every entry
# wiped): no entry, `cocosecret unlock` exits 6 and the initramfs falls back.
# (test-vm's fw_cfg would re-inject on every boot without --inject-once; on SEV the
# firmware does not: the owner must re-inject, i.e. relaunch, to unlock again.)
TEST_DESCRIPTION="reset during the unlock boots cleanly; after a reset a consumed secret is gone"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	# 1. reset mid-unlock (the secret is re-injected: plain fw_cfg)
	boot --disk root.img --secret-table table.bin --append "coco.dev=/dev/vda" \
		--reset-after "Created 1 entries in securityfs secrets/coco" \
		--expect "COCO-READY root" --fail-on "COCO-READY initrd" --scan-for secret
	[ "$(grep -ac "Linux version" "$T/serial.log")" = 2 ] || fail "the VM did not boot twice"
	assert_unlock 0
	assert_log "COCO: entry $DISK_GUID absent"
	mv "$T/serial.log" "$T/serial-reset-mid-unlock.log"

	# 2. injected once: the first boot consumes it, the boot after a reset has none
	boot --disk root.img --secret-table table.bin --inject-once --append "coco.dev=/dev/vda" \
		--reset-after "COCO-READY root" --expect "COCO-READY initrd" --scan-for secret
	# (the firmware console may drop characters under load: the start is enough)
	assert_log "inject-once: injected at launch already"
	assert_log "Created 0 entries in securityfs secrets/coco"
	assert_unlock 6
	assert_log "cocosecret: no secret $DISK_GUID for /dev/vda: not present"
}
