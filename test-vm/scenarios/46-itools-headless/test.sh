# cocosecret.headless=1 and no secret: no prompt, one clear line, and initramfs-tools'
# panic() instead of waiting for a human (test-vm's panic=-1: it reboots at once,
# which stops the VM); test-vm/boot without --expect waits for that.
TEST_DESCRIPTION="initramfs-tools: headless without a secret fails fast, no prompt"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	printf 'vda_crypt UUID=%s none luks,initramfs\n' "$(luks_uuid root.img)" >crypttab
	itools_image initrd.img crypttab
}

test_run() {
	BOOT_TIMEOUT=120 iboot --disk root.img \
		--append "root=/dev/mapper/vda_crypt cocosecret.headless=1 $ITOOLS_CMDLINE" \
		--fail-on "$ITOOLS_PROMPT" --fail-on "COCO-READY root"
	assert_log "cocosecret: no secret $DISK_GUID for /dev/vda"
	assert_log "cocosecret.headless=1: not prompting"
	assert_log "Rebooting automatically due to panic= boot argument"
	refute_log "$ITOOLS_PROMPT"
	echo "stopped after $BOOT_SECONDS s"
}
