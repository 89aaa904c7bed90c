# The host's move: it withholds the disk. The root never appears, dracut gives up
# (rd.retry) and starts its emergency shell on the host's console. The secret was
# never read, but it is still in the secret area: the module wipes it before the
# shell. At the moment the shell appears, RAM holds no copy, the area included.
TEST_DESCRIPTION="dracut: disk withheld, emergency shell: the secret is gone before it"
TEST_MODES="systemd nosystemd"
TEST_DRACUT="059 106"

test_setup() {
	mkpass secret
	mktable table.bin "$DISK_GUID=secret"
}

# What each mode prints as its shell starts (dracut-emergency / _emergency_shell).
shell_text() {
	case "$MODE" in
	systemd) echo "Entering emergency mode" ;;
	*) echo "Dropping to debug shell" ;;
	esac
}

test_run() {
	local uuid=5b1c7e2a-9d34-4f60-8a1b-2c3d4e5f6a7b
	# rd.shell is on (dracut's default): the shell is what the host wants
	BOOT_TIMEOUT=200 dboot --secret-table table.bin \
		--append "rd.luks.uuid=$uuid root=/dev/mapper/luks-$uuid rd.retry=6 rd.timeout=12" \
		--expect "$(shell_text)" --fail-on "COCO-READY root" --scan-for secret
	assert_log "cocosecret: wiped secret $DISK_GUID"
}
