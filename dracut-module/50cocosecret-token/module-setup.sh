#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module: systemd-cryptsetup unlocks LUKS2 volumes with a cocosecret
# token from the confidential VM's launch secret (efi_secret) through
# libcryptsetup-token-cocosecret.so, and the secret is wiped before
# switch_root and before any emergency shell.  systemd initramfs only.
# Used as: dracut -a cocosecret-token   (docs/TOKEN.md, dracut.cocosecret(7))
#
# Unlike 50cocosecret it installs no unlock script, generator or hook:
# systemd-cryptsetup@.service opens each volume (names, crypttab options,
# ordering, the passphrase prompt are systemd's), and tries the plugin first
# because the volume has a cocosecret token.  In the image: the plugin in
# libcryptsetup's plugin directory with its libraries, the trust files
# /etc/cocosecret/{trusted-guids,require-auth}, the wipe units (enabled) and
# their script, the static cocosecret binary the script runs (`cocosecret
# wipe`), and the kernel modules.

# shellcheck source=dracut-module/50cocosecret/cocosecret-build.sh
. "${BASH_SOURCE[0]%/*}/cocosecret-build.sh"

COCOSECRET_TOKEN_SO=libcryptsetup-token-cocosecret.so

# The directory libcryptsetup loads token plugins from, as a path in the
# image: $cocosecret_tokensdir (dracut.conf.d), else the directory of the
# libcryptsetup.so.12 that systemd-cryptsetup links + /cryptsetup, which is
# libcryptsetup's built-in default (${libdir}/cryptsetup) and what Debian
# (/lib/x86_64-linux-gnu/cryptsetup, /usr/lib/x86_64-linux-gnu/cryptsetup
# since 2.7) and Fedora (/usr/lib64/cryptsetup) use.
cocosecret_tokensdir() {
    local d
    if [[ ${cocosecret_tokensdir-} ]]; then
        printf '%s\n' "$cocosecret_tokensdir"
        return 0
    fi
    for d in $libdirs; do
        if [[ -e $dracutsysrootdir$d/libcryptsetup.so.12 ]]; then
            printf '%s\n' "$d/cryptsetup"
            return 0
        fi
    done
    return 1
}

# The plugin to put in the image: $COCOSECRET_TOKEN_PLUGIN, else the
# installed one (in the plugin directory).
cocosecret_token_plugin() {
    local d
    if [[ ${COCOSECRET_TOKEN_PLUGIN-} ]]; then
        [[ -f $COCOSECRET_TOKEN_PLUGIN ]] || return 1
        printf '%s\n' "$COCOSECRET_TOKEN_PLUGIN"
        return 0
    fi
    d=$(cocosecret_tokensdir) || return 1
    [[ -f $dracutsysrootdir$d/$COCOSECRET_TOKEN_SO ]] || return 1
    printf '%s\n' "$dracutsysrootdir$d/$COCOSECRET_TOKEN_SO"
}

# called by dracut
check() {
    if ! cocosecret_token_plugin > /dev/null; then
        derror "cocosecret-token: $COCOSECRET_TOKEN_SO is not installed (make install, package cocosecret-token, or set COCOSECRET_TOKEN_PLUGIN)"
        return 1
    fi
    if ! cocosecret_binary > /dev/null; then
        derror "cocosecret-token: the cocosecret binary is not installed (it wipes the secrets: make install, or set COCOSECRET_BINARY)"
        return 1
    fi
    cocosecret_exclusive cocosecret-token cocosecret || return 1
    # only when asked for: dracut -a cocosecret-token
    return 255
}

# called by dracut
depends() {
    # systemd-cryptsetup runs the plugin: dracut's systemd initramfs only
    # (with --omit systemd, dracut refuses this module).  dracut-ng has
    # systemd-cryptsetup as a module of its own; 059 has it in crypt.
    local deps="systemd crypt securityfs systemd-ask-password" d
    for d in "$dracutbasedir"/modules.d/[0-9][0-9]systemd-cryptsetup; do
        [[ -d $d ]] && deps+=" systemd-cryptsetup"
    done
    echo "$deps"
    return 0
}

# called by dracut
installkernel() {
    cocosecret_instmods
}

# called by dracut
install() {
    local bin plugin dir unit
    bin=$(cocosecret_binary) || return 1
    plugin=$(cocosecret_token_plugin) || return 1
    if ! dir=$(cocosecret_tokensdir); then
        derror "cocosecret-token: no libcryptsetup.so.12 in $libdirs (set cocosecret_tokensdir)"
        return 1
    fi

    # the plugin, where the image's libcryptsetup looks for it, with the
    # libraries it links (libcryptsetup, json-c, nettle: dracut-install
    # resolves an ELF file's libraries; dracut-ng has no inst_library).  An
    # image without it would boot to the prompt on every VM: dracut ignores
    # install()'s status, so stop it here.
    inst_binary "$plugin" "$dir/$COCOSECRET_TOKEN_SO"
    if [[ ! -f "$initdir$dir/$COCOSECRET_TOKEN_SO" ]]; then
        dfatal "cocosecret-token: could not install $plugin as $dir/$COCOSECRET_TOKEN_SO"
        exit 1
    fi
    # the wipe: cocosecret-token-wipe runs `cocosecret wipe`
    inst_binary "$bin" /usr/sbin/cocosecret
    inst_script "$moddir/cocosecret-token-wipe" /usr/libexec/cocosecret/cocosecret-token-wipe
    # the plugin loads efi_secret itself (finit_module, else modprobe)
    inst_multiple -o modprobe
    cocosecret_install_trust "$bin" || return 1

    # Before switch_root on every path, and before any emergency or rescue
    # shell (dracut-emergency.service in both dracut generations, and
    # systemd's emergency/rescue units).
    inst_simple "$moddir/cocosecret-token-wipe.service" \
        "$systemdsystemunitdir/cocosecret-token-wipe.service"
    $SYSTEMCTL -q --root "$initdir" enable cocosecret-token-wipe.service
    inst_simple "$moddir/cocosecret-token-emergency.service" \
        "$systemdsystemunitdir/cocosecret-token-emergency.service"
    for unit in emergency.service rescue.service dracut-emergency.service; do
        inst_simple "$moddir/cocosecret-token-wipe.conf" \
            "$systemdsystemunitdir/$unit.d/cocosecret-token-wipe.conf"
    done
}
