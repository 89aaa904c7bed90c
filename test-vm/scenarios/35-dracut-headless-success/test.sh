# rd.cocosecret.headless=1 with the secret there: the volume opens and the boot goes
# on to the real root. (With systemd, the cryptsetup unit requires ours: isolating
# initrd-switch-root.target must not stop our unit and, through Requires=, the
# volume under /sysroot: IgnoreOnIsolate=yes.)
TEST_DESCRIPTION="dracut: headless with a good secret boots"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	dboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) rd.cocosecret.headless=1 $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/"
	assert_log "COCO: entry $DISK_GUID absent"
}
