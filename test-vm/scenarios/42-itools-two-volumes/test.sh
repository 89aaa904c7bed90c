# Root and a data volume (both `initramfs` entries of crypttab) opened by one secret:
# the entry is kept for the second (unlock --keep) and wiped right after the last;
# cryptroot finds both active. init_on_free=1, as docs/GUIDE.md asks for this case.
TEST_DESCRIPTION="initramfs-tools: root + data volume from one secret, wiped after the last"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	mkdisk data.img secret -t luks2
	{
		printf 'root_crypt UUID=%s none luks,initramfs\n' "$(luks_uuid root.img)"
		printf 'data_crypt UUID=%s none luks,readonly,initramfs\n' "$(luks_uuid data.img)"
	} >crypttab
	itools_image initrd.img crypttab
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	local last_unlock wipe
	iboot --disk root.img --disk data.img --secret-table table.bin \
		--append "root=/dev/mapper/root_crypt init_on_free=1 $ITOOLS_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$ITOOLS_PROMPT" --scan-for secret
	assert_log "cocosecret: unlocked /dev/vda as root_crypt (keyslot 0)"
	assert_log "cocosecret: unlocked /dev/vdb as data_crypt (keyslot 0)"
	assert_log "name=root_crypt uuid=CRYPT-LUKS2-"
	assert_log "name=data_crypt uuid=CRYPT-LUKS2-"
	assert_log "COCO: root=/dev/mapper/root_crypt fstype=ext4"
	assert_log "COCO: entry $DISK_GUID absent"
	last_unlock=$(grep -anF "cocosecret: unlocked /dev/" "$T/serial.log" | tail -n 1 | cut -d: -f1)
	wipe=$(grep -anF "cocosecret: wiped secret $DISK_GUID" "$T/serial.log" | head -n 1 | cut -d: -f1)
	echo "last unlock at line $last_unlock, first wipe at line $wipe"
	[ "$wipe" -gt "$last_unlock" ] || fail "the secret was wiped before the second volume was open"
}
