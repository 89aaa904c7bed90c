#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module: unlock LUKS volumes with the confidential VM's launch secret
# (efi_secret), before dracut's or systemd's passphrase prompt, and wipe the
# secret before switch_root.  Used as: dracut -a cocosecret

# The static binary to put in the image: $COCOSECRET_BINARY, else the
# installed one.
cocosecret_binary() {
    local b
    for b in "$COCOSECRET_BINARY" "$dracutsysrootdir"/usr/sbin/cocosecret \
        "$dracutsysrootdir"/usr/local/sbin/cocosecret "$dracutsysrootdir"/sbin/cocosecret; do
        [[ -n $b && -x $b ]] && {
            printf '%s\n' "$b"
            return 0
        }
    done
    return 1
}

# called by dracut
check() {
    if ! cocosecret_binary > /dev/null; then
        derror "cocosecret: the cocosecret binary is not installed (make install, or set COCOSECRET_BINARY)"
        return 1
    fi
    # only when asked for: dracut -a cocosecret
    return 255
}

# called by dracut
depends() {
    local deps="crypt securityfs" d
    # dracut-ng (>= 103) has an initqueue module; dracut 059 has none and
    # install() asks for the initqueue with dracut_need_initqueue instead.
    for d in "$dracutbasedir"/modules.d/[0-9][0-9]initqueue; do
        [[ -d $d ]] && deps+=" initqueue"
    done
    if dracut_module_included "systemd"; then
        deps+=" systemd-ask-password"
    fi
    echo "$deps"
    return 0
}

# called by dracut
installkernel() {
    # efi_secret, dm-crypt, and the AF_ALG interface libcryptsetup falls
    # back to for ciphers it does not do in userspace.
    hostonly='' instmods efi_secret dm_crypt af_alg algif_skcipher algif_hash xts ecb
}

# called by dracut
install() {
    local bin
    bin=$(cocosecret_binary) || return 1

    inst_simple "$bin" /usr/sbin/cocosecret
    inst_simple "$moddir/cocosecret-lib.sh" /lib/cocosecret-lib.sh
    inst_script "$moddir/cocosecret-unlock.sh" /sbin/cocosecret-unlock
    inst_multiple -o modprobe

    # The last wipe before switch_root: cocosecret-wipe.service with systemd
    # (a cleanup hook there would make dracut-pre-pivot.service run for it
    # alone), else a cleanup hook.
    if dracut_module_included "systemd"; then
        inst_multiple systemd-escape
        inst_script "$moddir/cocosecret-generator.sh" \
            "$systemdutildir/system-generators/cocosecret-generator"
        inst_simple "$moddir/cocosecret-wipe.service" \
            "$systemdsystemunitdir/cocosecret-wipe.service"
        $SYSTEMCTL -q --root "$initdir" enable cocosecret-wipe.service
    else
        # after 90crypt's parse-crypt.sh (cmdline 30)
        inst_hook cmdline 31 "$moddir/parse-cocosecret.sh"
        inst_hook cleanup 99 "$moddir/cocosecret-wipe-hook.sh"
    fi

    if ! dracut_module_included "initqueue"; then
        dracut_need_initqueue
    fi
}
