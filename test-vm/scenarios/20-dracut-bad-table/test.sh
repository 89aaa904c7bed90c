# A malformed secret table (wrong header GUID): efi_secret finds no entries, nothing
# crashes, the prompt follows and the typed passphrase boots.
TEST_DESCRIPTION="dracut: malformed secret table, no crash, falls back to the prompt"
TEST_MODES="systemd nosystemd"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	mktable good.bin "$DISK_GUID=secret"
	# flip the header GUID's first byte
	{ printf '\377'; tail -c +2 good.bin; } >table.bin
	{ cat secret; echo; } >typed
}

test_run() {
	dboot --disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--send-after "$PROMPT" --send-file typed --expect "COCO-READY root" \
		--fail-on "Oops" --fail-on "BUG:" --fail-on "segfault"
	refute_log "entries in securityfs secrets/coco"
	assert_log "cocosecret: no secret $DISK_GUID for /dev/"
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
}
