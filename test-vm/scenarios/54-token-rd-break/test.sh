# dracut -a cocosecret-token, the right secret, and rd.break=pre-mount (the host's
# move where the command line is not measured, or a debug habit): systemd-cryptsetup
# opens the root through the plugin, which keeps the entry (the default); then dracut
# stops before mounting it and starts its shell through dracut-emergency.service, long
# before cocosecret-token-wipe.service would run (after the root file system).
# cocosecret-token-emergency.service, pulled in by the drop-in on
# dracut-emergency.service, has wiped the entry before the shell: RAM clean at the
# shell, the secret area included.
TEST_DESCRIPTION="token: unlocked through the plugin, rd.break=pre-mount: the kept entry is gone before the shell"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkenrolled root.img
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	tboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) rd.break=pre-mount $TOKEN_CMDLINE" \
		--expect "Entering emergency mode" --fail-on "COCO-READY root" --fail-on "$PROMPT" \
		--scan-for secret
	assert_log_re "${SDC_RE}cocosecret: /dev/disk/by-uuid/$(luks_uuid root.img): secret $DISK_GUID ${TOKEN_USED}0 \(keyslot 1, header authenticated\)"
	assert_log_re "Finished systemd-cryptsetup@.*luks.*$(luks_uuid root.img)"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	refute_log "Finished cocosecret-token-wipe.service"
	refute_module_units
	assert_log_order "$TOKEN_USED" "Finished cocosecret-token-emergency.service" "Entering emergency mode"
}
