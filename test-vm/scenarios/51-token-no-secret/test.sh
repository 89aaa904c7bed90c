# dracut -a cocosecret-token on a VM without a secret area (not a SEV guest, or
# launched without a secret): the plugin says its token does not apply and loads or
# waits for nothing, systemd-cryptsetup asks for the passphrase at once, the typed
# passphrase boots; the wipe units are skipped (their condition). There is no
# secret in this VM to scan RAM for (the typed passphrase is systemd's: its
# ask-password cache keeps it in the kernel keyring).
TEST_DESCRIPTION="token: no secret area, systemd's prompt, typed passphrase boots"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkenrolled root.img
	{ cat passphrase; echo; } >typed
}

test_run() {
	tboot --disk root.img --append "$(luks_root root.img) $TOKEN_CMDLINE $DRACUT_CMDLINE" \
		--send-after "$PROMPT" --send-file typed --expect "COCO-READY root"
	assert_log_re "${SDC_RE}cocosecret: /dev/disk/by-uuid/$(luks_uuid root.img): no launch secret area \([^)]*efi_secret.0\): token 0 not applicable"
	assert_log "$PROMPT"
	refute_log "efi_secret efi_secret.0: Created"
	assert_log_re "cocosecret-token-wipe.service.*unmet condition"
	refute_log "cocosecret: wiped secret"
	refute_module_units
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "COCO: secrets dir absent"
}
