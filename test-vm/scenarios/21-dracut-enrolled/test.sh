# The image-build path of docs/GUIDE.md: `cocosecret enroll` adds a cheap keyslot
# and a token for a generated secret, `cocosecret table build` makes the table the
# guest owner injects; the VM boots with it through the token's keyslot.
TEST_DESCRIPTION="dracut: image enrolled with cocosecret enroll boots from its secret"
TEST_MODES="systemd nosystemd"

test_setup() {
	mkenrolled root.img
	"$COCOSECRET_BIN" table build -o table.bin "$DISK_GUID=secret"
}

test_run() {
	dboot --disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/"
	assert_log "(keyslot 1, header authenticated)"
	assert_log "COCO: entry $DISK_GUID absent"
}
