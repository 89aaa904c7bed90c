# The host's move: one field the MAC covers changed (the data segment's iv_tweak,
# which would make the guest decrypt its data with shifted tweaks; no null cipher,
# no other check catches it). The secret is read and the MAC fails (exit 7): no
# activation, entry wiped, prompt, RAM clean.
TEST_DESCRIPTION="dracut: a MAC-covered header field altered: refused, wiped, RAM clean"
TEST_MODES="systemd nosystemd"

test_setup() {
	mkenrolled genuine.img
	cp --sparse=always genuine.img root.img
	"$TESTVM/lib/luks2-forge" root.img 'j["segments"]["0"]["iv_tweak"] = "8"'
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	cocosecret_volumes=$T/genuine.img dboot_refused "its MAC does not match" \
		--disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE"
}
