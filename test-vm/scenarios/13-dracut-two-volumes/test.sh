# Root and a data volume opened by the same secret: the entry is kept for the
# second volume (unlock --keep) and wiped right after the last one is open.
# init_on_free=1, as docs/GUIDE.md asks for this case: the --keep read's copy in
# efi_secret's freed seq_file buffer cannot be scrubbed from user space.
TEST_DESCRIPTION="dracut: root + data volume from one secret, wiped after the last"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2
	mkdisk data.img secret -t luks2
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	local root data first_unlock last_unlock wipe
	root=$(luks_uuid root.img)
	data=$(luks_uuid data.img)
	dboot --disk root.img --disk data.img --secret-table table.bin \
		--append "rd.luks.uuid=$root rd.luks.uuid=$data root=/dev/mapper/luks-$root init_on_free=1 $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log " as luks-$root (keyslot 0)"
	assert_log " as luks-$data (keyslot 0)"
	assert_log "name=luks-$root uuid=CRYPT-LUKS2-"
	assert_log "name=luks-$data uuid=CRYPT-LUKS2-"
	assert_log "COCO: entry $DISK_GUID absent"
	# the first wipe comes after both unlocks
	first_unlock=$(grep -anF "cocosecret: unlocked /dev/" "$T/serial.log" | head -n 1 | cut -d: -f1)
	last_unlock=$(grep -anF "cocosecret: unlocked /dev/" "$T/serial.log" | tail -n 1 | cut -d: -f1)
	wipe=$(grep -anF "cocosecret: wiped secret $DISK_GUID" "$T/serial.log" | head -n 1 | cut -d: -f1)
	echo "unlocks at lines $first_unlock..$last_unlock, first wipe at line $wipe"
	[ "$wipe" -gt "$last_unlock" ] || fail "the secret was wiped before the second volume was open"
}
