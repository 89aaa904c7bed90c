# The host's move (CVE-2025-59054 class): its own disk, carrying the UUID the command
# line names, whose keyslot area is cipher_null: any passphrase "opens" it, the
# injected secret included, and the host's root would boot in the attested VM.
# cocosecret refuses the header before it reads the secret (exit 7), wipes the entry,
# and the prompt follows; no copy of the secret anywhere.
TEST_DESCRIPTION="dracut: host's disk with a cipher_null keyslot: refused, wiped, RAM clean"
TEST_MODES="systemd nosystemd"

test_setup() {
	mkpass secret
	mkpass hostpass
	mkdisk root.img hostpass -t luks2
	cryptsetup luksDump -q --dump-volume-key --volume-key-file vk --key-file hostpass root.img >/dev/null
	"$TESTVM/lib/luks2-forge" root.img --null-keyslot 0 vk
	rm -f vk
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	dboot_refused "keyslot 0's area is not encrypted (cipher_null-ecb)" \
		--disk root.img --secret-table table.bin --append "$(luks_root root.img) $DRACUT_CMDLINE"
	assert_log "is refused (forged or altered); falling back to the passphrase prompt"
}
