# The host's move: it withholds the disk. cryptroot and initramfs-tools wait for it
# (rootdelay=), give up and panic() into a shell on the host's console (panic= empty:
# initramfs-tools' default, a shell). The secret was never read, but it is still in
# the secret area: cocosecret's /scripts/panic script wipes it before the shell. At
# the moment the shell prompt appears, RAM holds no copy, the area included.
TEST_DESCRIPTION="initramfs-tools: disk withheld, panic shell: the secret is gone before it"

test_setup() {
	mkpass secret
	mktable table.bin "$DISK_GUID=secret"
	printf 'vda_crypt UUID=5b1c7e2a-9d34-4f60-8a1b-2c3d4e5f6a7b none luks,initramfs\n' >crypttab
	itools_image initrd.img crypttab
}

test_run() {
	# "panic=" last: initramfs-tools takes the last value (empty: a shell); the
	# kernel keeps test-vm's panic=-1 (it rejects the empty value)
	BOOT_TIMEOUT=200 iboot --secret-table table.bin \
		--append "root=/dev/mapper/vda_crypt rootdelay=10 panic=" \
		--expect "(initramfs)" --fail-on "COCO-READY root" --fail-on "$ITOOLS_PROMPT" \
		--scan-for secret
	assert_log "cocosecret: wiped secret $DISK_GUID"
	# the wipe comes before the shell
	assert_log_order "cocosecret: wiped secret $DISK_GUID" "(initramfs)"
}
