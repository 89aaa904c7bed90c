# dracut -a cocosecret-token, the host's move: the guest's genuine disk (the secret
# opens its keyslot) with the data segment switched to cipher_null over a plaintext
# root the host wrote there. The plugin refuses the header before it reads the
# secret; headless (rd.luks.options=headless=1), systemd-cryptsetup fails instead of
# prompting, the host's root is never mapped, and the emergency shell comes after the
# wipe: RAM clean. The refusal is the plugin's own code (059 only, as for the
# module's forged-header scenarios 24-25: the generator does not change it).
TEST_DESCRIPTION="token: cipher_null segment over the host's root: the plugin refuses it, wiped before the shell"
TEST_MODES="systemd"
TEST_DRACUT="059"

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
	BOOT_TIMEOUT=200 tboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) rd.luks.options=headless=1 rd.timeout=60 $TOKEN_CMDLINE" \
		--expect "Entering emergency mode" --fail-on "$PROMPT" --fail-on "COCO-READY root" \
		--scan-for secret
	assert_log_re "${SDC_RE}cocosecret: /dev/disk/by-uuid/$(luks_uuid root.img): header refused: data segment 0 is not encrypted \(cipher_null-ecb\)"
	refute_log "$TOKEN_USED"
	refute_log "COCO: real root init"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	refute_module_units
}
