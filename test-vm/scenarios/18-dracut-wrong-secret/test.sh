# A secret that does not open the volume: one line, the entry is wiped, the prompt
# follows and the typed passphrase boots; the wrong secret is nowhere in RAM.
TEST_DESCRIPTION="dracut: wrong secret, wiped, falls back to the prompt"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkpass wrong
	mkdisk root.img secret -t luks2
	mktable table.bin "$DISK_GUID=wrong"
	{ cat secret; echo; } >typed
}

test_run() {
	dboot --disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--send-after "$PROMPT" --send-file typed --expect "COCO-READY root" --scan-for wrong
	assert_log "cocosecret: secret $DISK_GUID does not open /dev/"
	assert_log "falling back to the passphrase prompt"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "COCO: root=/dev/mapper/luks-$(luks_uuid root.img) fstype=ext4"
	assert_log "COCO: entry $DISK_GUID absent"
}
