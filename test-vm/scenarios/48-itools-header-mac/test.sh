# An enrolled volume (header MAC in its token, the secret under a GUID of its own)
# seen by the image build (COCOSECRET_VOLUMES, as update-initramfs sees the host's
# root through cryptroot's crypttab): the hook writes that GUID into the image's
# trusted list and requires the MAC; the volume boots with it verified, and the
# token's entry is the one wiped.
TEST_DESCRIPTION="initramfs-tools: token GUID trusted and header MAC required by the image, verified, boots"
GUID=0f1e2d3c-4b5a-4697-8877-665544332211

test_setup() {
	mkpass passphrase
	mkdisk root.img passphrase -t luks2
	"$COCOSECRET_BIN" enroll --guid "$GUID" --key-file passphrase --secret-out secret root.img
	printf 'vda_crypt UUID=%s none luks,initramfs\n' "$(luks_uuid root.img)" >crypttab
	itools_image initrd.img crypttab -v "$T/root.img"
	grep -q "trusted GUIDs: $DISK_GUID $GUID ; header MAC required: 1" "$T/mkinitramfs.log" ||
		fail "the hook did not trust the token's GUID and require the MAC"
	mktable table.bin "$GUID=secret"
}

test_run() {
	iboot --disk root.img --secret-table table.bin \
		--append "root=/dev/mapper/vda_crypt coco.check=$GUID $ITOOLS_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$ITOOLS_PROMPT" --scan-for secret
	assert_log "as vda_crypt (keyslot 1, header authenticated)"
	assert_log "cocosecret: wiped secret $GUID"
	assert_log "COCO: entry $GUID absent"
}
