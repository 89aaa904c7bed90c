# The host's move, where the command line is not measured, or a user's debug habit:
# rd.break stops the boot before anything unlocked and gives a shell on the (host's)
# console. The module's emergency hook (and, with systemd, cocosecret-emergency.service
# before dracut-emergency.service) wipes the secret first: no copy at the shell.
TEST_DESCRIPTION="dracut: rd.break before the unlock: the secret is gone before the shell"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	local text="Dropping to debug shell"
	[ "$MODE" = systemd ] && text="Entering emergency mode"
	dboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) rd.break=pre-udev" \
		--expect "$text" --fail-on "COCO-READY root" --scan-for secret
	assert_log "cocosecret: wiped secret $DISK_GUID"
}
