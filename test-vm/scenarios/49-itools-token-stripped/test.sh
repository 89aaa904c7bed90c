# The host's move: the cocosecret token (and its MAC) removed from an enrolled
# volume, so that nothing would be checked. The image was built seeing the genuine
# volume and requires the MAC: refused before the secret is read (exit 7), entry
# wiped, cryptroot's prompt follows; RAM clean.
TEST_DESCRIPTION="initramfs-tools: token stripped while the image requires the MAC: refused"

test_setup() {
	mkenrolled genuine.img
	cp --sparse=always genuine.img root.img
	"$TESTVM/lib/luks2-forge" root.img 'j["tokens"] = {}'
	printf 'vda_crypt UUID=%s none luks,initramfs\n' "$(luks_uuid root.img)" >crypttab
	itools_image initrd.img crypttab -v "$T/genuine.img"
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	iboot --disk root.img --secret-table table.bin \
		--append "root=/dev/mapper/vda_crypt $ITOOLS_CMDLINE" \
		--expect "$ITOOLS_PROMPT" --fail-on "COCO-READY root" --scan-for secret
	assert_log "header refused: --require-auth, and it has no usable cocosecret token"
	assert_log "is refused (forged or altered); falling back to the passphrase prompt"
	assert_log "cocosecret: wiped secret $DISK_GUID"
}
