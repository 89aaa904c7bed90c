# A secret that does not open the volume: one line, the entry is wiped, cryptroot's
# prompt follows and the typed passphrase boots; the wrong secret is nowhere in RAM.
TEST_DESCRIPTION="initramfs-tools: wrong secret, wiped, falls back to cryptroot's prompt"

test_setup() {
	mkpass secret
	mkpass wrong
	mkdisk root.img secret -t luks2
	printf 'vda_crypt UUID=%s none luks,initramfs\n' "$(luks_uuid root.img)" >crypttab
	itools_image initrd.img crypttab
	mktable table.bin "$DISK_GUID=wrong"
	{ cat secret; echo; } >typed
}

test_run() {
	iboot --disk root.img --secret-table table.bin \
		--append "root=/dev/mapper/vda_crypt $ITOOLS_CMDLINE" \
		--send-after "$ITOOLS_PROMPT" --send-file typed --expect "COCO-READY root" --scan-for wrong
	assert_log "cocosecret: secret $DISK_GUID does not open /dev/vda"
	assert_log "falling back to the passphrase prompt"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "cryptsetup: vda_crypt: set up successfully"
	assert_log "COCO: root=/dev/mapper/vda_crypt fstype=ext4"
	assert_log "COCO: entry $DISK_GUID absent"
}
