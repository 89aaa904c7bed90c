# rd.cocosecret.auto=1 without rd.luks.uuid: any LUKS2 volume with a cocosecret token
# is unlocked under its default name; one without a token is left alone (no prompt
# either: nothing asked for it). The cleanup hook wipes the token's entry before
# switch_root. (Non-systemd initramfs only, as documented.)
TEST_DESCRIPTION="dracut: rd.cocosecret.auto=1 unlocks the volume with a token, skips the other"
TEST_MODES="nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass passphrase
	mkpass other
	mkdisk root.img passphrase -t luks2
	mkdisk plain.img other -t luks2
	"$COCOSECRET_BIN" enroll --key-file passphrase --secret-out secret root.img
	"$COCOSECRET_BIN" table build -o table.bin "$DISK_GUID=secret"
}

test_run() {
	local root plain
	root=$(luks_uuid root.img)
	plain=$(luks_uuid plain.img)
	dboot --disk root.img --disk plain.img --secret-table table.bin \
		--append "rd.cocosecret.auto=1 root=/dev/mapper/luks-$root $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log " as luks-$root (keyslot 1, header authenticated)"
	refute_log "luks-$plain"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "COCO: entry $DISK_GUID absent"
}
