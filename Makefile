# SPDX-License-Identifier: GPL-2.0-or-later
# cocosecret - unlock a confidential VM's LUKS root with its launch secret.
#
#   make                 build the fully static ./cocosecret and the LUKS2 token
#                        plugin build/token/libcryptsetup-token-cocosecret.so
#                        (installs build deps)
#   make token           only the token plugin (docs/TOKEN.md)
#   make check           the whole test suite (unit + CLI + test-vm boots)
#   make check-unit      only the tests that need no VM
#   make freed-heap      test builds whose free() scans for secrets (check-unit)
#   make analyze         cppcheck, clang-tidy, gcc -fanalyzer (scripts/analyze.sh)
#   make check-asan      the non-VM suite against an ASan+UBSan build
#   make check-valgrind  the non-VM suite under valgrind
#   make fuzz            each libFuzzer harness for FUZZ_TIME seconds (fuzz/run)
#   make demo            boot a VM whose encrypted root cocosecret unlocks
#   make install         DESTDIR=... PREFIX=/usr (the dracut module in DRACUTDIR,
#                        the initramfs-tools hook and scripts in ITOOLSDIR)
#
# Static libdevmapper/libcryptsetup are built from Debian's sources into
# $(COCOSECRET_CACHE) (default /var/cache/cocosecret), outside the checkout.

VERSION		:= 0.1.0
PREFIX		?= /usr
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
# dracut looks in its own directory, whatever PREFIX is
DRACUTDIR	?= $(shell pkg-config --variable=dracutdir dracut 2>/dev/null || echo /usr/lib/dracut)
# initramfs-tools reads hooks and scripts from its own directory only (the
# hook's settings, /etc/cocosecret/initramfs.conf, are the administrator's:
# an annotated example goes to share/doc/cocosecret/examples)
ITOOLSDIR	?= /usr/share/initramfs-tools
DESTDIR		?=
export COCOSECRET_CACHE ?= /var/cache/cocosecret

CC		?= cc
BUILD		:= build
BIN		:= cocosecret

SRCS		:= $(wildcard src/*.c)
OBJS		:= $(SRCS:src/%.c=$(BUILD)/%.o)
# The parts with no I/O: unit-tested and fuzzed on their own.
PURE_SRCS	:= src/guid.c src/passphrase.c src/table.c

WARN		:= -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wvla
HARDEN		:= -fstack-protector-strong -fstack-clash-protection -fcf-protection \
		   -D_FORTIFY_SOURCE=2 -fPIE
CFLAGS		?= -Os
ALL_CFLAGS	:= -std=c17 -D_GNU_SOURCE $(WARN) $(HARDEN) -ffunction-sections \
		   -fdata-sections -DCOCOSECRET_VERSION='"$(VERSION)"' $(CFLAGS)
LDFLAGS		?=
ALL_LDFLAGS	:= -static-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--gc-sections \
		   -Wl,--fatal-warnings $(LDFLAGS)
LIBS		:= -lcryptsetup -ldevmapper -ljson-c -luuid -lnettle -lpthread -lm

.PHONY: all deps check check-unit demo install clean FORCE \
	analyze check-asan check-valgrind fuzz hardening-deps freed-heap token token-test

all: $(BIN) $(MANPAGES) token

# --- static dependencies --------------------------------------------------
# deps.mk records where build-deps.sh put the static libraries; the scripts
# are no-ops when everything is installed and cached.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(BUILD)/deps.mk
endif

$(BUILD)/deps.mk: FORCE
	@mkdir -p $(BUILD)
	@scripts/deps.sh build
	@p=$$(scripts/build-deps.sh) && echo "DEPS_PREFIX := $$p" > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

deps: $(BUILD)/deps.mk

# --- the binary -----------------------------------------------------------
# V=1 shows the full commands
Q		:= $(if $(V),,@)

$(BUILD)/%.o: src/%.c $(BUILD)/deps.mk
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -I$(DEPS_PREFIX)/include -MMD -MP -c -o $@ $<

$(BIN).unstripped: $(OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(OBJS) -L$(DEPS_PREFIX)/lib $(LIBS)

$(BIN): $(BIN).unstripped
	strip --strip-all -o $@ $<
	@size=$$(stat -c %s $@); echo "cocosecret: $$size bytes, static: $$(file -b $@ | cut -d, -f1-2)"

-include $(OBJS:.o=.d)

# --- the LUKS2 token plugin: libcryptsetup-token-cocosecret.so -------------
# Linked dynamically against the distribution's libcryptsetup (that is how
# plugins load), from the same source files as the binary: token parser,
# header checks and MAC, efi_secret, locked memory, the log (which the plugin
# points at crypt_log()).  Only the CRYPTSETUP_TOKEN_1.0 symbols are
# exported (token/libcryptsetup-token-cocosecret.sym); everything else is
# hidden, and --gc-sections drops what the plugin does not use.
# TOKEN_TEST is the test build (tests/token.sh): it also reads its secrets
# and configuration directories from the environment, and is never installed.
TOKEN_NAME	:= libcryptsetup-token-cocosecret.so
TOKEN_SO	:= $(BUILD)/token/$(TOKEN_NAME)
TOKEN_TEST	:= $(BUILD)/token-test/$(TOKEN_NAME)
TOKEN_HARNESS	:= $(BUILD)/token-test/token-harness
TOKEN_SYM	:= token/libcryptsetup-token-cocosecret.sym
TOKEN_SHARED	:= src/luks.c src/header.c src/efisecret.c src/safemem.c src/log.c \
		   src/guid.c src/passphrase.c
TOKEN_SRCS	:= token/cocosecret-token.c $(TOKEN_SHARED)
TOKEN_HDRS	:= $(wildcard src/*.h)
# The distribution's libcryptsetup (not the cache's static one, nor its headers).
CS_CFLAGS	:= $(shell pkg-config --cflags libcryptsetup 2>/dev/null)
CS_LIBS		:= $(shell pkg-config --libs libcryptsetup 2>/dev/null || echo -lcryptsetup)
TOKEN_CFLAGS	:= -std=c17 -D_GNU_SOURCE $(WARN) $(filter-out -fPIE,$(HARDEN)) -fPIC \
		   -fvisibility=hidden -ffunction-sections -fdata-sections \
		   -DCOCOSECRET_VERSION='"$(VERSION)"' $(CS_CFLAGS) $(CFLAGS)
TOKEN_LDFLAGS	:= -shared -Wl,--version-script=$(TOKEN_SYM) -Wl,-z,relro,-z,now \
		   -Wl,-z,noexecstack -Wl,--no-undefined -Wl,--gc-sections -Wl,--as-needed \
		   -Wl,--fatal-warnings $(LDFLAGS)
TOKEN_LIBS	:= $(CS_LIBS) -ljson-c -lnettle
# Where libcryptsetup looks for plugins: pkg-config's tokensdir (2.7+), else
# Debian's built-in path (/usr/lib/<multiarch>/cryptsetup).
MULTIARCH	:= $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || \
		     $(CC) -print-multiarch 2>/dev/null)
TOKENSDIR	?= $(or $(shell pkg-config --variable=tokensdir libcryptsetup 2>/dev/null),\
		   /usr/lib/$(MULTIARCH)/cryptsetup)
UNITDIR		?= /usr/lib/systemd/system
LIBEXECDIR	?= $(PREFIX)/libexec/cocosecret

token: $(TOKEN_SO)

$(BUILD)/token/%.o: %.c $(TOKEN_HDRS) Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (token)")
	$(Q)$(CC) $(TOKEN_CFLAGS) -c -o $@ $<

$(BUILD)/token-test/%.o: %.c $(TOKEN_HDRS) Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (token test build)")
	$(Q)$(CC) $(TOKEN_CFLAGS) -DCOCOSECRET_TOKEN_TEST -c -o $@ $<

$(TOKEN_SO): $(TOKEN_SRCS:%.c=$(BUILD)/token/%.o) $(TOKEN_SYM)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(TOKEN_CFLAGS) $(TOKEN_LDFLAGS) -o $@.unstripped \
		$(filter %.o,$^) $(TOKEN_LIBS)
	strip --strip-unneeded --remove-section=.comment -o $@ $@.unstripped
	@echo "$(TOKEN_NAME): $$(stat -c %s $@) bytes"

$(TOKEN_TEST): $(TOKEN_SRCS:%.c=$(BUILD)/token-test/%.o) $(TOKEN_SYM)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(TOKEN_CFLAGS) $(TOKEN_LDFLAGS) -o $@ $(filter %.o,$^) $(TOKEN_LIBS)

# tests/token-harness.c: registers a plugin's functions with libcryptsetup
# (crypt_token_register) and runs what the cryptsetup CLI would: luksDump,
# token import, open --test-passphrase --token-only.  For ASan and valgrind,
# which cannot instrument the CLI's own plugin loading.
$(TOKEN_HARNESS): tests/token-harness.c Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) -std=c17 -D_GNU_SOURCE $(WARN) -g -O1 $(CS_CFLAGS) -o $@ $< $(CS_LIBS) -ldl

token-test: $(TOKEN_TEST) $(TOKEN_HARNESS)

# --- docs -----------------------------------------------------------------
MANPAGES	:= docs/cocosecret.8 docs/dracut.cocosecret.7 docs/initramfs-tools.cocosecret.7
# (all: names them here: MANPAGES is empty where all: is first written)
all: $(MANPAGES)

docs/%: docs/%.in Makefile
	sed -e 's/@VERSION@/$(VERSION)/g' $< > $@

# --- tests ----------------------------------------------------------------
# tests/freed-heap.sh: libcryptsetup (a small harness) and the binary, linked
# against the same static libraries with a free() that scans every block for
# the test's secrets before freeing it (tests/freed-heap-wrap.c).  Unstripped.
FH		:= $(BUILD)/freed-heap
FH_LDFLAGS	:= -Wl,--wrap=free,--wrap=realloc,--wrap=reallocarray

$(FH)/wrap.o: tests/freed-heap-wrap.c tests/freed-heap.h $(BUILD)/deps.mk
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -I$(DEPS_PREFIX)/include -c -o $@ $<

$(FH)/freed-heap: tests/freed-heap.c $(FH)/wrap.o
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -I$(DEPS_PREFIX)/include $(ALL_LDFLAGS) $(FH_LDFLAGS) -o $@ \
		$< $(FH)/wrap.o -L$(DEPS_PREFIX)/lib $(LIBS)

$(FH)/cocosecret: $(OBJS) $(FH)/wrap.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(FH_LDFLAGS) -o $@ $(OBJS) $(FH)/wrap.o \
		-L$(DEPS_PREFIX)/lib $(LIBS)

freed-heap: $(FH)/freed-heap $(FH)/cocosecret

check-unit: $(BIN) freed-heap token token-test
	@scripts/deps.sh test
	tests/run

# The boot tests build initramfs images (dracut 059 on the host with a private
# configuration, dracut 106 and initramfs-tools in chroots): the host's own /boot
# and initramfs setup must be the same afterwards (test-vm/lib/host-state; the
# packages the tests need are installed before the first look: lvm2 has a hook).
check: check-unit
	@scripts/deps.sh vm dracut
	@mkdir -p $(BUILD)
	test-vm/lib/host-state >$(BUILD)/host-state.before
	test-vm/run
	test-vm/lib/host-state | diff -u $(BUILD)/host-state.before - || \
		{ echo "make check: the host's /boot or initramfs setup changed" >&2; exit 1; }
	@echo "make check: the host's /boot and initramfs setup are untouched"

demo: $(BIN)
	@scripts/deps.sh vm
	test-vm/demo

# --- hardening: static analysis, sanitizers, valgrind, fuzzing ------------
# Neither the sanitizers nor valgrind's memcheck work on a static-pie
# binary: these variants are linked dynamically against glibc and Debian's
# shared json-c/uuid/nettle, but against the same static libcryptsetup and
# libdevmapper from $(COCOSECRET_CACHE) as the release binary (the code that
# ships, with its patches).  tests/sanitize.sh runs tests/run against them.
SAN_CC		?= clang
DYN_CFLAGS	:= -std=c17 -D_GNU_SOURCE $(WARN) -DCOCOSECRET_VERSION='"$(VERSION)"' -g
ASAN_FLAGS	:= -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
		   -fno-sanitize-recover=all
VG_FLAGS	:= -O1 -fstack-protector-strong -D_FORTIFY_SOURCE=2
DYN_LIBS	= -L$(DEPS_PREFIX)/lib -Wl,-Bstatic -lcryptsetup -ldevmapper -Wl,-Bdynamic \
		  -ljson-c -luuid -lnettle -lpthread -lm
FUZZ_TIME	?= 60

hardening-deps:
	@scripts/deps.sh hardening

$(BUILD)/asan/cocosecret: $(SRCS) $(wildcard src/*.h) $(BUILD)/deps.mk | hardening-deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@ (ASan+UBSan)")
	$(Q)$(SAN_CC) $(DYN_CFLAGS) $(ASAN_FLAGS) -I$(DEPS_PREFIX)/include -o $@ $(SRCS) $(DYN_LIBS)

$(BUILD)/valgrind/cocosecret: $(SRCS) $(wildcard src/*.h) $(BUILD)/deps.mk | hardening-deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@ (for valgrind)")
	$(Q)$(CC) $(DYN_CFLAGS) $(VG_FLAGS) -I$(DEPS_PREFIX)/include -o $@ $(SRCS) $(DYN_LIBS)

# The plugin's instrumented test builds, and the harness that loads them
# (tests/sanitize.sh points tests/token.sh at them).
$(BUILD)/asan/$(TOKEN_NAME): $(TOKEN_SRCS) $(TOKEN_HDRS) $(TOKEN_SYM) | hardening-deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@ (ASan+UBSan)")
	$(Q)$(SAN_CC) $(DYN_CFLAGS) $(ASAN_FLAGS) -fPIC -shared -DCOCOSECRET_TOKEN_TEST \
		$(CS_CFLAGS) -Wl,--version-script=$(TOKEN_SYM) -o $@ $(TOKEN_SRCS) $(TOKEN_LIBS)

$(BUILD)/asan/token-harness: tests/token-harness.c | hardening-deps
	@mkdir -p $(@D)
	$(Q)$(SAN_CC) $(DYN_CFLAGS) $(ASAN_FLAGS) $(CS_CFLAGS) -o $@ $< $(CS_LIBS) -ldl

$(BUILD)/valgrind/$(TOKEN_NAME): $(TOKEN_SRCS) $(TOKEN_HDRS) $(TOKEN_SYM) | hardening-deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@ (for valgrind)")
	$(Q)$(CC) $(DYN_CFLAGS) $(VG_FLAGS) -fPIC -shared -DCOCOSECRET_TOKEN_TEST $(CS_CFLAGS) \
		-Wl,--version-script=$(TOKEN_SYM) -Wl,--no-undefined -o $@ $(TOKEN_SRCS) $(TOKEN_LIBS)

$(BUILD)/valgrind/token-harness: tests/token-harness.c | hardening-deps
	@mkdir -p $(@D)
	$(Q)$(CC) $(DYN_CFLAGS) $(VG_FLAGS) $(CS_CFLAGS) -o $@ $< $(CS_LIBS) -ldl

analyze: $(BUILD)/deps.mk hardening-deps
	DEPS_PREFIX=$(DEPS_PREFIX) scripts/analyze.sh

check-asan: $(BUILD)/asan/cocosecret freed-heap token token-test \
		$(BUILD)/asan/$(TOKEN_NAME) $(BUILD)/asan/token-harness
	@scripts/deps.sh test
	tests/sanitize.sh asan $<

check-valgrind: $(BUILD)/valgrind/cocosecret freed-heap token token-test \
		$(BUILD)/valgrind/$(TOKEN_NAME) $(BUILD)/valgrind/token-harness
	@scripts/deps.sh test
	tests/sanitize.sh valgrind $<

fuzz: $(BUILD)/deps.mk hardening-deps
	DEPS_PREFIX=$(DEPS_PREFIX) FUZZ_TIME=$(FUZZ_TIME) fuzz/run

# --- install --------------------------------------------------------------
install: $(BIN) $(MANPAGES) $(TOKEN_SO)
	install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/cocosecret
	install -D -m 0644 $(TOKEN_SO) $(DESTDIR)$(TOKENSDIR)/$(TOKEN_NAME)
	install -D -m 0644 -t $(DESTDIR)$(UNITDIR) token/cocosecret-token-wipe.service \
		token/cocosecret-token-emergency.service
	for u in emergency.service rescue.service dracut-emergency.service; do \
		install -D -m 0644 token/cocosecret-token-wipe.conf \
			$(DESTDIR)$(UNITDIR)/$$u.d/cocosecret-token-wipe.conf || exit 1; \
	done
	install -D -m 0755 token/cocosecret-token-wipe $(DESTDIR)$(LIBEXECDIR)/cocosecret-token-wipe
	install -D -m 0644 docs/cocosecret.8 $(DESTDIR)$(MANDIR)/man8/cocosecret.8
	install -D -m 0644 docs/dracut.cocosecret.7 $(DESTDIR)$(MANDIR)/man7/dracut.cocosecret.7
	install -D -m 0644 docs/initramfs-tools.cocosecret.7 \
		$(DESTDIR)$(MANDIR)/man7/initramfs-tools.cocosecret.7
	install -D -m 0755 initramfs-tools/hooks/cocosecret $(DESTDIR)$(ITOOLSDIR)/hooks/cocosecret
	for d in local-top local-block init-bottom panic; do \
		install -D -m 0755 initramfs-tools/scripts/$$d/cocosecret \
			$(DESTDIR)$(ITOOLSDIR)/scripts/$$d/cocosecret || exit 1; \
	done
	install -D -m 0644 initramfs-tools/scripts/cocosecret-functions \
		$(DESTDIR)$(ITOOLSDIR)/scripts/cocosecret-functions
	install -D -m 0644 initramfs-tools/initramfs.conf \
		$(DESTDIR)$(PREFIX)/share/doc/cocosecret/examples/initramfs.conf
	for d in 50cocosecret 50cocosecret-token; do \
		install -d $(DESTDIR)$(DRACUTDIR)/modules.d/$$d || exit 1; \
		for f in dracut-module/$$d/*; do \
			if [ -x "$$f" ]; then m=0755; else m=0644; fi; \
			install -m $$m "$$f" $(DESTDIR)$(DRACUTDIR)/modules.d/$$d/ || exit 1; \
		done; \
	done

# --- Debian package: make deb (debian/README.source) ----------------------
# dpkg-buildpackage runs in a copy of the checkout's files (its results go to
# the parent directory) once the static libraries are cached: the package
# build itself downloads nothing.  Then lintian, which must stay silent.
DEB_DIR		:= $(BUILD)/deb
DEB		:= $(DEB_DIR)/cocosecret_$(VERSION)-1_amd64.deb
.PHONY: deb
deb: $(DEB)

$(DEB): $(BIN) $(MANPAGES) $(TOKEN_SO) Makefile README.md $(wildcard debian/* debian/*/* \
		dracut-module/50cocosecret/* dracut-module/50cocosecret-token/* \
		initramfs-tools/*/* initramfs-tools/*/*/* initramfs-tools/initramfs.conf \
		docs/*.md token/* src/*)
	@scripts/deps.sh deb
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/cocosecret-$(VERSION)
	git ls-files -z --cached --others --exclude-standard >$(DEB_DIR)/files
	tar --null --no-recursion --ignore-failed-read -T $(DEB_DIR)/files -cf - | \
		tar -xf - -C $(DEB_DIR)/cocosecret-$(VERSION)
	cd $(DEB_DIR)/cocosecret-$(VERSION) && dpkg-buildpackage -b -us -uc
	lintian -I -E --pedantic --fail-on error,warning,info,pedantic,experimental \
		$(DEB_DIR)/cocosecret_$(VERSION)-1_amd64.changes || { rm -f $@; exit 1; }
	@echo "$@"

clean:
	rm -rf $(BUILD) $(BIN) $(BIN).unstripped $(MANPAGES) tests/out
