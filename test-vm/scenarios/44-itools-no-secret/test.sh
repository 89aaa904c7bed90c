# No secret area (not a confidential VM, or launched without a secret): the scripts
# stay out of the way (no unlock attempt, no wipe), cryptroot prompts, and the
# passphrase typed on the serial console boots.
TEST_DESCRIPTION="initramfs-tools: no secret area, cryptroot's prompt, typed passphrase boots"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	printf 'vda_crypt UUID=%s none luks,initramfs\n' "$(luks_uuid root.img)" >crypttab
	itools_image initrd.img crypttab
	{ cat secret; echo; } >typed
}

test_run() {
	iboot --disk root.img --append "root=/dev/mapper/vda_crypt $ITOOLS_CMDLINE" \
		--send-after "$ITOOLS_PROMPT" --send-file typed --expect "COCO-READY root"
	refute_log "cocosecret: opening"
	refute_log "falling back to the passphrase prompt"
	assert_log "$ITOOLS_PROMPT vda_crypt"
	assert_log "cryptsetup: vda_crypt: set up successfully"
	assert_log "COCO: root=/dev/mapper/vda_crypt fstype=ext4"
	assert_log "COCO: secrets dir absent"
}
