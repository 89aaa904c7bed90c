# An enrolled volume (header MAC in its token) seen by the initramfs build
# (cocosecret_volumes, as a hostonly build sees the host's root): the initramfs
# requires the MAC by default, and the volume boots with it verified.
TEST_DESCRIPTION="dracut: header MAC required by the initramfs, verified, boots"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkenrolled root.img
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	cocosecret_volumes=$T/root.img dboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "(keyslot 1, header authenticated)"
	assert_log "COCO: entry $DISK_GUID absent"
}
