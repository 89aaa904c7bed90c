# The rig's own secret-table builder matches the reference vectors (sevctl layout),
# so the tables injected by the other scenarios are what real producers make.
TEST_DESCRIPTION="test-vm's secret-table builder reproduces the reference vectors"

test_setup() {
	vectors=
	for d in "$TESTVM/../tests/vectors" "$TESTVM/../../shared/vectors" \
		"${COCOSECRET_VECTORS:-}"; do
		[ -n "$d" ] && [ -f "$d/one-entry.bin" ] && vectors=$d
	done
	[ -n "$vectors" ] || fail "no reference vectors (set COCOSECRET_VECTORS)"
}

test_run() {
	python3 "$TESTVM/lib/secrettable.py" check-vectors "$vectors"
	# and the same bytes through the CLI
	mktable t.bin "$DISK_GUID=$vectors/grub-nul.0.data"
	cmp t.bin "$vectors/grub-nul.bin"
}
