# dracut -a cocosecret-token, the secret in the secret area is not the enrolled one:
# the plugin refuses it (the token's header MAC does not verify under it), so
# systemd-cryptsetup asks for the passphrase; the typed one boots.
# cocosecret-token-wipe.service wipes the entry before switch_root; the wrong
# secret is nowhere in RAM.
TEST_DESCRIPTION="token: wrong secret, systemd's prompt, typed passphrase boots, entry wiped"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkenrolled root.img
	mkpass wrong
	mktable table.bin "$DISK_GUID=wrong"
	{ cat passphrase; echo; } >typed
}

test_run() {
	tboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) $TOKEN_CMDLINE $DRACUT_CMDLINE" \
		--send-after "$PROMPT" --send-file typed --expect "COCO-READY root" --scan-for wrong
	assert_log_re "${SDC_RE}cocosecret: /dev/disk/by-uuid/$(luks_uuid root.img): header refused: its MAC does not match"
	refute_log "$TOKEN_USED"
	assert_log "$PROMPT"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	refute_module_units
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "COCO: entry $DISK_GUID absent"
}
