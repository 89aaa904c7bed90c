# The host's move: it rewrites the disk's token to name another program's entry
# (an attestation agent's key in the same table). The initramfs trusts only the GUIDs
# fixed when it was built: the token is ignored with a warning, the disk-passphrase
# secret unlocks, and the other entry is neither read nor wiped: it is still there
# in the real root.
TEST_DESCRIPTION="dracut: forged token names another program's entry: neither read nor wiped"
TEST_MODES="systemd nosystemd"
OTHER=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d

test_setup() {
	mkenrolled root.img
	"$TESTVM/lib/luks2-forge" root.img "j['tokens']['0']['guid'] = '$OTHER'"
	mkpass agent-key
	mktable table.bin "$DISK_GUID=secret" "$OTHER=agent-key"
}

test_run() {
	dboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) $DRACUT_CMDLINE coco.check=$DISK_GUID,$OTHER" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "names secret $OTHER, which this system does not trust: token ignored"
	assert_log "cocosecret: unlocked /dev/"
	assert_log "COCO: entry $DISK_GUID absent"
	assert_log "COCO: entry $OTHER present"
}
