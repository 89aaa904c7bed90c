# The host's move: the guest's genuine disk (the secret opens its keyslot), with the
# data segment switched to cipher_null over a plaintext root file system the host
# wrote there. Activation would map the host's plaintext as the root. cocosecret
# refuses the header before it reads the secret; the entry is wiped; RAM clean.
TEST_DESCRIPTION="dracut: genuine keyslots, cipher_null segment over the host's root: refused"
TEST_MODES="systemd nosystemd"

test_setup() {
	mkenrolled root.img
	mkdisk plain.img - -t plain
	off=$("$TESTVM/lib/luks2-forge" root.img --show |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["segments"]["0"]["offset"])')
	dd if=plain.img of=root.img bs=1M seek=$((off >> 20)) conv=notrunc status=none
	rm -f plain.img
	"$TESTVM/lib/luks2-forge" root.img 'j["segments"]["0"]["encryption"] = "cipher_null-ecb"'
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	dboot_refused "data segment 0 is not encrypted (cipher_null-ecb)" \
		--disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE"
}
