# Two volumes, one secret, and the second disk appears (PCIe hotplug) while the
# first is still unlocking (a slow argon2id keyslot). Without systemd the unlock is
# a settled initqueue job named cocosecret-<kernel name>, which runs before
# cryptroot-ask's settled job for the same device; with systemd our unit is ordered
# before systemd-cryptsetup@. Either way both volumes open from the secret, no
# prompt appears, the secret is wiped after the last one, and RAM is clean. The
# scenario checks that the race really happened: the kernel announces vdb between
# "opening" and "unlocked" of the root volume.
TEST_DESCRIPTION="dracut: a disk hotplugged during the first unlock opens too, no prompt"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2 -p argon2id -m 131072
	mkdisk data.img secret -t luks2
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	local root data opening plugged unlocked wipe last
	root=$(luks_uuid root.img)
	data=$(luks_uuid data.img)
	dboot --disk root.img --hotplug-disk data.img --hotplug-after "cocosecret: opening /dev/" \
		--secret-table table.bin \
		--append "rd.luks.uuid=$root rd.luks.uuid=$data root=/dev/mapper/luks-$root init_on_free=1 $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	assert_log " as luks-$root (keyslot 0)"
	assert_log " as luks-$data (keyslot 0)"
	assert_log "name=luks-$data uuid=CRYPT-LUKS2-"
	assert_log "COCO: entry $DISK_GUID absent"
	line() { grep -anE -- "$1" "$T/serial.log" | head -n 1 | cut -d: -f1; }
	# the root's device: /dev/vda (initqueue) or its by-uuid link (systemd unit)
	opening=$(line "cocosecret: opening /dev/(vda|disk/by-uuid/$root) ")
	plugged=$(line "virtio_blk virtio[0-9]+: \[vdb\]")
	unlocked=$(line "cocosecret: unlocked /dev/(vda|disk/by-uuid/$root) ")
	wipe=$(line "cocosecret: wiped secret $DISK_GUID")
	last=$(grep -anF "cocosecret: unlocked /dev/" "$T/serial.log" | tail -n 1 | cut -d: -f1)
	echo "opening vda at line $opening, vdb appears at $plugged, vda unlocked at $unlocked," \
		"last unlock at $last, wipe at $wipe"
	[ -n "$opening" ] && [ -n "$plugged" ] && [ -n "$unlocked" ] && [ -n "$wipe" ] ||
		fail "a console line is missing"
	[ "$opening" -lt "$plugged" ] && [ "$plugged" -lt "$unlocked" ] ||
		fail "vdb did not appear while vda was unlocking: the race was not exercised"
	[ "$wipe" -gt "$last" ] || fail "the secret was wiped before the second volume was open"
}
