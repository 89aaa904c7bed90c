# Debian's way with initramfs-tools: the root is named in /etc/crypttab (vda_crypt,
# with discard), cryptsetup-initramfs's hook puts the entry in the image
# (/cryptroot/crypttab), and mkinitramfs builds it with cocosecret's hook and
# scripts. cocosecret's local-top script opens the volume under the crypttab name
# with its options before cryptroot runs; cryptroot finds it active and does not
# prompt; the entry is wiped right after the unlock; RAM clean in the real root.
TEST_DESCRIPTION="initramfs-tools: LUKS2 root under its crypttab name (vda_crypt, discard)"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	printf 'vda_crypt UUID=%s none luks,discard,initramfs\n' "$(luks_uuid root.img)" >crypttab
	itools_image initrd.img crypttab
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	iboot --disk root.img --secret-table table.bin \
		--append "root=/dev/mapper/vda_crypt $ITOOLS_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$ITOOLS_PROMPT" --scan-for secret
	assert_log "cocosecret: opening /dev/vda as vda_crypt with the launch secret"
	assert_log "cocosecret: unlocked /dev/vda as vda_crypt (keyslot 0)"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "COCO: root=/dev/mapper/vda_crypt fstype=ext4"
	assert_log "name=vda_crypt uuid=CRYPT-LUKS2-"
	assert_log_re "COCO: dm dm-[0-9]+ discard_max_bytes=[1-9]"
	assert_log "COCO: entry $DISK_GUID absent"
	refute_log "$ITOOLS_PROMPT"
}
