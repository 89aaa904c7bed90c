# The host's move: the cocosecret token (and its MAC) removed from an enrolled
# volume, so that nothing would be checked. Whether the MAC is required comes
# from the initramfs (built seeing the genuine volume), not from the header:
# refused before the secret is read, entry wiped, prompt, RAM clean.
TEST_DESCRIPTION="dracut: token stripped while the initramfs requires the MAC: refused"
TEST_MODES="systemd nosystemd"

test_setup() {
	mkenrolled genuine.img
	cp --sparse=always genuine.img root.img
	"$TESTVM/lib/luks2-forge" root.img 'j["tokens"] = {}'
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	cocosecret_volumes=$T/genuine.img dboot_refused "--require-auth, and it has no usable cocosecret token" \
		--disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE"
}
