# rd.cocosecret.headless=1 and no secret: no prompt, one clear line, the emergency
# path (rd.shell=0 rd.emergency=poweroff) instead of waiting for a human: the VM
# powers itself off (test-vm/boot without --expect waits for that).
TEST_DESCRIPTION="dracut: headless without a secret fails fast, no prompt"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
}

test_run() {
	BOOT_TIMEOUT=120 dboot --disk root.img \
		--append "$(luks_root root.img) rd.cocosecret.headless=1 $DRACUT_CMDLINE" \
		--fail-on "$PROMPT" --fail-on "COCO-READY root"
	assert_log "cocosecret: no secret $DISK_GUID for /dev/"
	assert_log "rd.cocosecret.headless=1: not prompting"
	refute_log "$PROMPT"
	echo "powered off after $BOOT_SECONDS s"
}
