# The systemd-native path: `dracut -a cocosecret-token`. The root (vda_crypt) and a
# data volume (vdb_crypt) are named in the initramfs's /etc/crypttab and enrolled with
# one secret under one GUID (cocosecret enroll: token + header MAC). systemd-cryptsetup
# opens both through libcryptsetup-token-cocosecret.so (its log line, under the
# crypttab names); none of 50cocosecret's units is in the image. The plugin keeps the
# entry (the default), so the second volume finds it; cocosecret-token-wipe.service
# wipes it after both, before switch_root (init_on_free=1 in TOKEN_CMDLINE, as for
# any kept entry: docs/TOKEN.md). RAM clean. And dracut refuses both modules in one image.
TEST_DESCRIPTION="token: crypttab root + data volume sharing a GUID, via systemd-cryptsetup and the plugin"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass passphrase
	mkdisk root.img passphrase -t luks2
	mkdisk data.img passphrase -t luks2
	"$COCOSECRET_BIN" enroll --key-file passphrase --secret-out secret root.img
	"$COCOSECRET_BIN" enroll --key-file passphrase --secret-file secret \
		--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --secret-out secret.data data.img
	cmp secret secret.data
	printf 'vda_crypt UUID=%s none luks\nvdb_crypt UUID=%s none luks\n' \
		"$(luks_uuid root.img)" "$(luks_uuid data.img)" >crypttab
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	local root data l1 l2 wipe out rc=0
	root=$(luks_uuid root.img)
	data=$(luks_uuid data.img)
	tboot --dracut-args "--include $T/crypttab /etc/crypttab" \
		--disk root.img --disk data.img --secret-table table.bin \
		--append "rd.luks.uuid=$root rd.luks.uuid=$data root=/dev/mapper/vda_crypt $TOKEN_CMDLINE $DRACUT_CMDLINE" \
		--expect "COCO-READY root" --fail-on "$PROMPT" --scan-for secret
	# systemd-cryptsetup ran the plugin for both, under the crypttab names
	assert_log_re "${SDC_RE}cocosecret: /dev/disk/by-uuid/$root: secret $DISK_GUID ${TOKEN_USED}0 \(keyslot 1, header authenticated\)"
	assert_log_re "${SDC_RE}cocosecret: /dev/disk/by-uuid/$data: secret $DISK_GUID ${TOKEN_USED}0 \(keyslot 1, header authenticated\)"
	assert_log "name=vda_crypt uuid=CRYPT-LUKS2-"
	assert_log "name=vdb_crypt uuid=CRYPT-LUKS2-"
	assert_log "COCO: root=/dev/mapper/vda_crypt fstype=ext4"
	refute_module_units
	# kept for the second volume, wiped after both
	l1=$(grep -anF "$TOKEN_USED" "$T/serial.log" | head -n 1 | cut -d: -f1)
	l2=$(grep -anF "$TOKEN_USED" "$T/serial.log" | tail -n 1 | cut -d: -f1)
	wipe=$(grep -anF "cocosecret: wiped secret $DISK_GUID" "$T/serial.log" | head -n 1 | cut -d: -f1)
	echo "plugin at lines $l1 and $l2, first wipe at line $wipe"
	[ -n "$wipe" ] && [ "$l1" -lt "$l2" ] && [ "$wipe" -gt "$l2" ] ||
		fail "the entry was not kept for the second volume, or not wiped after it"
	assert_log "COCO: entry $DISK_GUID absent"

	# one image cannot have both modules
	out=$("$TESTVM/boot" --print-initrd --dracut-module cocosecret-token --dracut-args "-a cocosecret" 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "dracut -a cocosecret-token -a cocosecret built an image"
	grep -qF "the dracut modules cocosecret and cocosecret-token exclude each other" <<<"$out" ||
		fail "dracut failed without the module's reason: $(tail -n 3 <<<"$out")"
	echo "ok: dracut -a cocosecret-token -a cocosecret refused"
}
