# The whole product on a real distribution image, as a user builds and boots it
# (test-vm/image): Debian 13 with systemd 257 as PID 1, the root on LUKS2 named in
# /etc/crypttab as the installer does (vda3_crypt), cocosecret installed from the
# .deb, `cocosecret enroll`, and the initramfs made by the image's own hostonly
# dracut 106 inside the booted image. Direct kernel boot of the files taken out of
# /boot; the launch secret injected. The boot reaches multi-user.target with
# nothing failed, the real root sees no entry, and guest RAM holds no copy.
TEST_DESCRIPTION="Debian 13 guest image: crypttab vda3_crypt, .deb, hostonly dracut 106, systemd 257"

test_setup() {
	IMG=$("$TESTVM/image")
	echo "image: $IMG ($(grep -E '^(dracut|systemd|cryptsetup-bin|cocosecret) ' "$IMG/versions" | tr '\n' ' '))"
	cp "$IMG/table.bin" table.bin
	install -m 0600 "$IMG/secret" secret
}

test_run() {
	local state
	IMG=$("$TESTVM/image")
	BOOT_TIMEOUT=600 _boot --disk "$IMG/disk.img" --snapshot --mem 1024 \
		--kernel "$IMG/vmlinuz" --initrd "$IMG/initrd.img" --secret-table table.bin \
		--append "$(cat "$IMG/cmdline")" \
		--expect "COCO-READY image" --fail-on "nter passphrase for" --scan-for secret
	# the hostonly initramfs: systemd's unit for the crypttab name, ours before it
	assert_log_re "cocosecret: unlocked /dev/(vda3|disk/by-uuid/[0-9a-f-]+) as vda3_crypt \(keyslot 1, header authenticated\)"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "COCO: root=/dev/mapper/vda3_crypt fstype=ext4"
	assert_log "COCO: boot=/dev/vda2"
	assert_log_re "COCO: dm dm-0 name=vda3_crypt uuid=CRYPT-LUKS2-"
	assert_log "COCO: entries 0"
	assert_log "COCO: efi_secret loaded"
	assert_log "COCO: cocosecret "
	state=$(grep -aoE "COCO: system [a-z-]+" "$T/serial.log" | tail -n 1 | cut -d' ' -f3)
	echo "systemctl is-system-running: $state"
	grep -a "COCO: failed unit" "$T/serial.log" || true
	[ "$state" = running ] || fail "the system is '$state', not running (failed units above)"
}
