# dracut -a cocosecret-token with systemd-cryptsetup's headless option
# (rd.luks.options=headless=1) and a wrong secret: the plugin refuses it, and
# systemd-cryptsetup fails at once instead of prompting. The root device unit
# depends on that unit, so its failure goes straight to initrd-root-device.target's
# OnFailure: the emergency shell starts on the host's console (rd.shell is on: the
# shell is what the host wants). rd.timeout=60 only keeps the device timeout out of
# the way (with 12 s, under TCG, the timeout came before systemd-cryptsetup had
# started, and the plugin found the entry already wiped).
# cocosecret-token-emergency.service has wiped the entry - which the plugin read
# and kept - before the shell starts: at that moment RAM holds no copy, the
# secret area included.
TEST_DESCRIPTION="token: headless, wrong secret: no prompt, fails fast, emergency shell after the wipe"
TEST_MODES="systemd"
TEST_DRACUT="059 106"

test_setup() {
	mkenrolled root.img
	mkpass wrong
	mktable table.bin "$DISK_GUID=wrong"
}

test_run() {
	local fail t_try t_fail
	BOOT_TIMEOUT=200 tboot --disk root.img --secret-table table.bin \
		--append "$(luks_root root.img) rd.luks.options=headless=1 rd.timeout=60 $TOKEN_CMDLINE" \
		--expect "Entering emergency mode" --fail-on "$PROMPT" --fail-on "COCO-READY root" --scan-for wrong
	assert_log_re "${SDC_RE}cocosecret: /dev/disk/by-uuid/$(luks_uuid root.img): header refused: its MAC does not match"
	assert_log_re "${SDC_RE}Password querying disabled via 'headless' option"
	refute_log "$PROMPT"
	# fails fast: the refusal and systemd-cryptsetup's failure within seconds
	t_try=$(grep -a "header refused: its MAC" "$T/serial.log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' | head -n 1)
	t_fail=$(grep -aE "systemd\[1\]: (.\[[0-9;]*m)?Failed to start systemd-cryptsetup@" "$T/serial.log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' | head -n 1)
	echo "plugin refused at $t_try s, systemd-cryptsetup failed at $t_fail s"
	[ -n "$t_try" ] && [ -n "$t_fail" ] && [ "$(echo "$t_fail - $t_try < 15" | bc)" = 1 ] ||
		fail "systemd-cryptsetup did not fail within 15 s of the refusal"
	assert_log "cocosecret: wiped secret $DISK_GUID"
	refute_module_units
	# the plugin read the entry before the failure: it was there to be read
	refute_log "cocosecret: no secret $DISK_GUID"
	# the emergency wipe finished before the shell
	assert_log_order "Finished cocosecret-token-emergency.service" "Entering emergency mode"
}
