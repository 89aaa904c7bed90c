# The Debian installer's way: the root is named in /etc/crypttab (vda_crypt, with
# discard), the initramfs carries that crypttab, root=/dev/mapper/vda_crypt. cocosecret
# opens it under the crypttab name with the crypttab's options, as cryptroot-ask or
# systemd-cryptsetup would have: the dm device passes discards down.
TEST_DESCRIPTION="dracut: crypttab name (vda_crypt) and its discard option"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	printf '# <target name> <source device> <key file> <options>\nvda_crypt UUID=%s none luks,discard\n' \
		"$(luks_uuid root.img)" >crypttab
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	local omit=""
	[ "$MODE" = nosystemd ] && omit='--omit "systemd systemd-initrd dracut-systemd"'
	_boot --dracut-args "$omit --include $T/crypttab /etc/crypttab" \
		--disk root.img --secret-table table.bin \
		--append "rd.luks.uuid=$(luks_uuid root.img) root=/dev/mapper/vda_crypt $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/"
	assert_log " as vda_crypt (keyslot 0)"
	assert_log "COCO: root=/dev/mapper/vda_crypt fstype=ext4"
	assert_log_re "COCO: dm dm-[0-9]+ discard_max_bytes=[1-9]"
	assert_log "COCO: entry $DISK_GUID absent"
}
