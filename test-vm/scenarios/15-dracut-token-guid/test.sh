# The secret's GUID comes from the volume's LUKS2 cocosecret token; a decoy with a
# wrong passphrase under the disk-passphrase GUID proves the token was used. The
# initramfs trusts the token's GUID because its build saw the volume
# (cocosecret_volumes; hostonly builds see the host's root the same way).
TEST_DESCRIPTION="dracut: secret GUID from the volume's LUKS2 cocosecret token"
TEST_MODES="systemd nosystemd"

GUID=5b7e2d1c-3a4f-4e6b-8d9c-0a1b2c3d4e5f

test_setup() {
	mkpass secret
	mkpass decoy
	mkdisk root.img secret -t luks2
	printf '{"type":"cocosecret","keyslots":["0"],"guid":"%s"}' "$GUID" >token.json
	cryptsetup token import --json-file token.json root.img
	mktable table.bin "$DISK_GUID=decoy" "$GUID=secret"
}

test_run() {
	cocosecret_volumes=$T/root.img dboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) $DRACUT_CMDLINE coco.check=$GUID,$DISK_GUID" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/"
	assert_log "cocosecret: wiped secret $GUID"
	assert_log "COCO: entry $GUID absent"
	# the disk-passphrase GUID is the module's too: wiped, not left behind
	assert_log "COCO: entry $DISK_GUID absent"
}
