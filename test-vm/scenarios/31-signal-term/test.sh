# SIGTERM in the middle of a slow (argon2id) keyslot: unlock blocks TERM from the
# read of the secret to the last wipe, finishes, wipes the entry and every copy,
# then dies of the signal. (SIGKILL cannot be caught: see docs/THREAT-MODEL.md.)
TEST_DESCRIPTION="unlock killed with TERM during a slow keyslot: still wipes, RAM clean"

test_setup() {
	mkpass secret
	mkdisk root.img secret -t luks2 -p argon2id -m 65536
	mktable table.bin "$DISK_GUID=secret"
}

test_run() {
	boot --disk root.img --secret-table table.bin \
		--append "coco.dev=/dev/vda coco.args=--verbose coco.kill_after=1500" \
		--expect "COCO-READY" --scan-for secret
	assert_log "sent SIGTERM to the unlock"
	assert_log "signal 15 arrived during the unlock: every copy of the secret is wiped"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	assert_log "COCO: unlock rc=143"
	assert_log "COCO: initrd entry $DISK_GUID absent"
}
