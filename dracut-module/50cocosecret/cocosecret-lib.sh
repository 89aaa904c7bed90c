#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cocosecret-lib.sh: shared by the cocosecret dracut hooks (POSIX sh, needs
# nothing else).  Never handles the secret itself: only the static binary
# reads it.

COCOSECRET=/usr/sbin/cocosecret
COCOSECRET_RUN=/run/cocosecret
COCOSECRET_DISK_GUID=736869e5-84f0-4973-92ec-06879ce3da0b
# Registered by the kernel at boot whenever the firmware installed a secret
# area (the EFI config table), before any module loads.
COCOSECRET_AREA=/sys/devices/platform/efi_secret.0
# Made once every entry this module uses is wiped: later wipes are skipped.
COCOSECRET_WIPED=$COCOSECRET_RUN/wiped
# Fixed when the initramfs was built (module-setup.sh): the GUIDs this module
# may read or wipe, one per line, and whether a header MAC is required.  The
# host writes the disk's header, so a GUID in a token counts only when it is
# in this list (or given by rd.cocosecret.guid: the command line is measured).
COCOSECRET_TRUSTED=/etc/cocosecret/trusted-guids
COCOSECRET_AUTH=/etc/cocosecret/require-auth
# Test hooks: where a failed final wipe asks the kernel to power off; the
# crypttab dracut put in the initramfs.
COCOSECRET_SYSRQ=${COCOSECRET_SYSRQ:-/proc/sysrq-trigger}
COCOSECRET_CRYPTTAB=${COCOSECRET_CRYPTTAB:-/etc/crypttab}

# One line on the console and in the kernel log.
cocosecret_msg() {
    echo "cocosecret: $*" >&2
    echo "<5>cocosecret: $*" > /dev/kmsg 2> /dev/null
    return 0
}

# Values from the command line and the host's disks reach unit files, udev
# rules and argv: only plain GUIDs, UUIDs (or their hex-and-dash prefixes, as
# dracut matches rd.luks.uuid) and mapping names of [A-Za-z0-9._+-] pass.
_cocosecret_h='[0-9a-fA-F]'
_cocosecret_h4="$_cocosecret_h$_cocosecret_h$_cocosecret_h$_cocosecret_h"
_cocosecret_guid_pat="$_cocosecret_h4$_cocosecret_h4-$_cocosecret_h4-$_cocosecret_h4-$_cocosecret_h4-$_cocosecret_h4$_cocosecret_h4$_cocosecret_h4"
cocosecret_valid_guid() {
    # shellcheck disable=SC2254 # the pattern is meant to match
    case $1 in $_cocosecret_guid_pat) return 0 ;; esac
    return 1
}
cocosecret_valid_uuid() {
    case $1 in "" | -* | *[!0-9a-fA-F-]*) return 1 ;; esac
    [ ${#1} -le 36 ]
}
cocosecret_valid_name() {
    case $1 in "" | -* | *[!A-Za-z0-9._+-]*) return 1 ;; esac
    [ ${#1} -le 127 ]
}

# dracut's boolean, into _b: 0, no and off are false, anything else (or no
# value) true.
_cocosecret_bool() {
    case $1 in 0 | no | off) _b=0 ;; *) _b=1 ;; esac
}

# Where dracut reads the command line from, in its order (getcmdline in
# dracut-lib.sh): written when the initramfs is built, for the dracut that
# built it (dracut-ng adds /run/initramfs/cmdline.d, for instance).
COCOSECRET_CMDLINE_ORDER=/etc/cocosecret/cmdline-order
# Present when that dracut still reads the old names (rd_LUKS_UUID,
# rd_NO_LUKS, rd_NO_CRYPTTAB): dracut 059 does, dracut-ng does not.
COCOSECRET_LEGACY=/etc/cocosecret/legacy-names

# Read the kernel command line once per process, as dracut's getarg,
# getargs and getargbool see it, into COCO_* variables.  dracut's getarg
# runs its helper once per call: a few getargs per hook cost over a second
# under emulation, on the path to the prompt.  The last value of an option
# wins; rd.luks.uuid, rd.luks.name, rd.luks.options and
# rd.luks.allow-discards collect.
# shellcheck disable=SC2034 # COCO_* are read by the scripts that source this
cocosecret_cmdline() {
    local _f _line _all="" _w _k _v _b _noglob="" _luks="" _noluks="" _legacy=""
    local _order="/etc/cmdline.d/*.conf /etc/cmdline /proc/cmdline" _ct="" _noct=""
    [ -n "$COCO_PARSED" ] && return 0
    [ -r "$COCOSECRET_CMDLINE_ORDER" ] && read -r _order < "$COCOSECRET_CMDLINE_ORDER"
    [ -e "$COCOSECRET_LEGACY" ] && _legacy=1
    for _f in $_order; do
        [ -r "$_f" ] || continue
        while read -r _line || [ -n "$_line" ]; do
            _all="$_all $_line"
        done < "$_f"
    done
    COCO_ENABLED=1 COCO_LUKS=1 COCO_HEADLESS=0 COCO_AUTO=0 COCO_DEBUG=0
    COCO_GUID="" COCO_TIMEOUT="" COCO_EMERGENCY="" COCO_IDS="" COCO_NAMES=""
    COCO_AUTH="" COCO_CRYPTTAB=1 COCO_OPTIONS="" COCO_DISCARDS=""
    case $- in *f*) _noglob=1 ;; esac
    set -f
    for _w in $_all; do
        case $_w in
            *=*) _k=${_w%%=*} _v=${_w#*=} ;;
            *) _k=$_w _v="" ;;
        esac
        _v=${_v#\"}
        _v=${_v%\"}
        # the old names, only where this dracut still reads them
        case $_k in rd_NO_LUKS | rd_LUKS_UUID | rd_NO_CRYPTTAB) [ -n "$_legacy" ] || continue ;; esac
        case $_k in
            rd.cocosecret) _cocosecret_bool "$_v"; COCO_ENABLED=$_b ;;
            rd.luks) _cocosecret_bool "$_v"; COCO_LUKS=$_b _luks=1 ;;
            rd_NO_LUKS) _noluks=1 ;;
            rd.luks.crypttab) _cocosecret_bool "$_v"; COCO_CRYPTTAB=$_b _ct=1 ;;
            rd_NO_CRYPTTAB) _noct=1 ;;
            rd.cocosecret.headless) _cocosecret_bool "$_v"; COCO_HEADLESS=$_b ;;
            rd.cocosecret.auto) _cocosecret_bool "$_v"; COCO_AUTO=$_b ;;
            rd.cocosecret.auth) _cocosecret_bool "$_v"; COCO_AUTH=$_b ;;
            rd.debug) _cocosecret_bool "$_v"; COCO_DEBUG=$_b ;;
            rd.cocosecret.guid) COCO_GUID=$_v ;;
            rd.cocosecret.timeout) COCO_TIMEOUT=$_v ;;
            rd.emergency) COCO_EMERGENCY=$_v ;;
            rd.luks.uuid | rd_LUKS_UUID) COCO_IDS="$COCO_IDS $_v" ;;
            rd.luks.name) COCO_NAMES="$COCO_NAMES $_v" ;;
            rd.luks.options) COCO_OPTIONS="$COCO_OPTIONS $_v" ;;
            # a bare rd.luks.allow-discards: every volume
            rd.luks.allow-discards) COCO_DISCARDS="$COCO_DISCARDS ${_v:-all}" ;;
        esac
    done
    [ -n "$_noglob" ] || set +f
    # the old rd_NO_LUKS and rd_NO_CRYPTTAB count only without the new names
    [ -z "$_luks" ] && [ -n "$_noluks" ] && COCO_LUKS=0
    [ -z "$_ct" ] && [ -n "$_noct" ] && COCO_CRYPTTAB=0
    if [ -n "$COCO_GUID" ] && ! cocosecret_valid_guid "$COCO_GUID"; then
        cocosecret_msg "rd.cocosecret.guid: not a GUID, ignored"
        COCO_GUID=""
    fi
    case $COCO_TIMEOUT in *[!0-9]* | ?????*) COCO_TIMEOUT="" ;; esac
    # A header MAC is required when the initramfs says so, unless
    # rd.cocosecret.auth= says otherwise (the command line is measured).
    if [ -z "$COCO_AUTH" ]; then
        COCO_AUTH=0
        [ -r "$COCOSECRET_AUTH" ] && read -r COCO_AUTH < "$COCOSECRET_AUTH"
        [ "$COCO_AUTH" = 1 ] || COCO_AUTH=0
    fi
    COCO_PARSED=1
    return 0
}

# The GUIDs this module may read and wipe, one per line: rd.cocosecret.guid
# alone when it is given (the module then uses that secret and no other),
# else the initramfs's list (the disk-passphrase GUID at least).
cocosecret_trusted() {
    local _g _seen=" "
    cocosecret_cmdline
    if [ -n "$COCO_GUID" ]; then
        echo "$COCO_GUID"
        return 0
    fi
    for _g in $COCOSECRET_DISK_GUID $(_cocosecret_trusted_file); do
        cocosecret_valid_guid "$_g" || continue
        case $_seen in *" $_g "*) continue ;; esac
        _seen="$_seen$_g "
        echo "$_g"
    done
    return 0
}

_cocosecret_trusted_file() {
    local _g
    [ -r "$COCOSECRET_TRUSTED" ] || return 0
    while read -r _g || [ -n "$_g" ]; do
        echo "$_g"
    done < "$COCOSECRET_TRUSTED"
}

# rd.cocosecret=0 or rd.luks=0 turn the module off.
cocosecret_enabled() {
    cocosecret_cmdline
    [ "$COCO_ENABLED" = 1 ] && [ "$COCO_LUKS" = 1 ]
}

# Is there anything to do?  Without a secret area (a VM that is not a SEV
# guest, or one launched without a secret) the module stays out of the way of
# the passphrase prompt entirely, unless rd.cocosecret.headless=1 asks it to
# fail instead of prompting.
cocosecret_wanted() {
    cocosecret_enabled || return 1
    [ -e "$COCOSECRET_AREA" ] || [ "$COCO_HEADLESS" = 1 ]
}

# The UUID systemd-cryptsetup-generator sees in a crypttab entry NAME DEVICE,
# into _u: DEVICE's UUID=U or /dev/disk/by-uuid/U, else NAME's luks-U, else "".
_cocosecret_ct_uuid() {
    case $2 in
        UUID=*) _u=${2#UUID=} ;;
        /dev/disk/by-uuid/*) _u=${2#/dev/disk/by-uuid/} ;;
        *) case $1 in luks-*) _u=${1#luks-} ;; *) _u="" ;; esac ;;
    esac
}

# The crypttab entry for a volume, as whoever opens it would find it: into
# _ct_name and _ct_opts ("" when none).  Not with rd.luks.crypttab=0.
#   systemd (systemd-cryptsetup-generator): the entry whose device is UUID=U
#     or /dev/disk/by-uuid/U, or whose name is luks-U, for the volume's UUID U.
#   dracut without systemd (cryptroot-ask): the entry whose device is UUID=U
#     with luks-U the name so far (luks-UUID or rd.luks.name's), or whose
#     device path resolves to the volume's device (DEV, when it is known).
cocosecret_crypttab() {
    local _uuid="$1" _name="$2" _dev="$3" _n _d _k _o _u
    _ct_name="" _ct_opts=""
    cocosecret_cmdline
    [ "$COCO_CRYPTTAB" = 1 ] && [ -r "$COCOSECRET_CRYPTTAB" ] || return 0
    while read -r _n _d _k _o || [ -n "$_n" ]; do
        case $_n in "" | "#"*) continue ;; esac
        if [ -n "$DRACUT_SYSTEMD" ]; then
            _cocosecret_ct_uuid "$_n" "$_d"
            if [ -z "$_u" ] || [ "$_u" != "$_uuid" ]; then continue; fi
        else
            case $_d in
                UUID=*) [ "luks-${_d#UUID=}" = "$_name" ] || continue ;;
                PARTUUID=* | ID=*) continue ;;
                *)
                    [ -n "$_dev" ] || continue
                    [ "$(readlink -f "$_d")" = "$(readlink -f "$_dev")" ] || continue
                    ;;
            esac
        fi
        _ct_name=$_n _ct_opts=$_o
        return 0
    done < "$COCOSECRET_CRYPTTAB"
    return 0
}

# "UUID NAME OPTIONS" for each volume to unlock: those named by rd.luks.uuid=
# and rd.luks.name= (which implies its UUID); with systemd and neither given,
# every crypttab entry with a UUID (systemd-cryptsetup-generator opens them
# all then).  NAME: the crypttab name (cocosecret_crypttab), else
# rd.luks.name's, else luks-UUID.  OPTIONS: the options the volume is opened
# with (rd.luks.options for its UUID, else the crypttab entry's, else the
# global rd.luks.options for a volume crypttab does not have), comma-
# separated, "-" for none.  DEV: the device, when known (unlock time).
# shellcheck disable=SC2120 # DEV is optional
cocosecret_targets() {
    local _ids _id _o _name _opts _uopts _n _d _k _rest _u _seen=" "
    cocosecret_cmdline
    _ids=$COCO_IDS
    for _o in $COCO_NAMES; do
        _ids="$_ids ${_o%%=*}"
    done
    if [ -z "$_ids" ] && [ -n "$DRACUT_SYSTEMD" ] && [ "$COCO_CRYPTTAB" = 1 ] && [ -r "$COCOSECRET_CRYPTTAB" ]; then
        while read -r _n _d _k _rest || [ -n "$_n" ]; do
            case $_n in "" | "#"*) continue ;; esac
            _cocosecret_ct_uuid "$_n" "$_d"
            [ -n "$_u" ] && _ids="$_ids $_u"
        done < "$COCOSECRET_CRYPTTAB"
    fi
    for _id in $_ids; do
        _id=${_id#keysource:}
        _id=${_id#luks-}
        case "$_seen" in *" $_id "*) continue ;; esac
        _seen="$_seen$_id "
        _name="luks-$_id"
        for _o in $COCO_NAMES; do
            [ "${_o%%=*}" = "$_id" ] && _name=${_o#*=}
        done
        cocosecret_crypttab "$_id" "$_name" "$1"
        [ -n "$_ct_name" ] && _name=$_ct_name
        _opts=$_ct_opts _uopts=""
        for _o in $COCO_OPTIONS; do
            case $_o in
                "$_id"=*) _uopts=${_o#*=} ;;
                *=*) case ${_o%%=*} in *[!0-9a-fA-F-]*) [ -z "$_ct_name" ] && _opts=$_o ;; esac ;;
                *) [ -z "$_ct_name" ] && _opts=$_o ;;
            esac
        done
        [ -n "$_uopts" ] && _opts=$_uopts
        if ! cocosecret_valid_uuid "$_id" || ! cocosecret_valid_name "$_name"; then
            cocosecret_msg "rd.luks: an invalid UUID or name, ignored"
            continue
        fi
        echo "$_id $_name ${_opts:--}"
    done
    return 0
}

# The unlock's options for a volume's OPTIONS (crypttab's syntax) and
# rd.luks.allow-discards, as dracut or systemd-cryptsetup would open it.
# Returns 1 for a volume that is not cocosecret's to open (noauto, swap,
# tmp, plain, bitlk, tcrypt: the normal path handles or skips it), 2 for
# what cocosecret cannot do (a detached header=): the normal path opens it.
cocosecret_unlock_opts() {
    local _uuid="$1" _opts="$2" _o _d _ifs="$IFS"
    cocosecret_cmdline
    IFS=,
    # shellcheck disable=SC2086 # split on commas
    set -- $_opts
    IFS=$_ifs
    for _o in "$@"; do
        case $_o in
            discard | allow-discards) printf -- '--allow-discards ' ;;
            readonly | read-only) printf -- '--readonly ' ;;
            same-cpu-crypt) printf -- '--perf-same_cpu_crypt ' ;;
            submit-from-crypt-cpus) printf -- '--perf-submit_from_crypt_cpus ' ;;
            no-read-workqueue) printf -- '--perf-no_read_workqueue ' ;;
            no-write-workqueue) printf -- '--perf-no_write_workqueue ' ;;
            noauto | swap | tmp | tmp=* | plain | bitlk | tcrypt) return 1 ;;
            header=*) return 2 ;;
        esac
    done
    # rd.luks.allow-discards: bare for every volume, or a UUID (prefix)
    for _d in $COCO_DISCARDS; do
        _d=${_d#luks-}
        case $_d in all) printf -- '--allow-discards ' && break ;; esac
        case $_uuid in "$_d"*) printf -- '--allow-discards ' && break ;; esac
    done
    return 0
}

# Wipe the entries this module uses, and no others: the trusted GUIDs.  (Not
# the GUIDs the disks' tokens name: the host wrote those.)
cocosecret_wipe_ours() {
    local _v=""
    cocosecret_cmdline
    [ "$COCO_DEBUG" = 1 ] && _v=--verbose
    # shellcheck disable=SC2046 # one GUID per word
    "$COCOSECRET" wipe $_v $(cocosecret_trusted)
}

# The unlock's options for the trusted GUIDs and the MAC policy.
cocosecret_trust_args() {
    local _g
    cocosecret_cmdline
    for _g in $(cocosecret_trusted); do
        printf -- '--trust %s ' "$_g"
    done
    [ "$COCO_AUTH" = 1 ] && printf -- '--require-auth'
    return 0
}

# A wipe that failed must not let the boot go on (into the real root, or to a
# shell on the host's console) with the secret still there: power off.
cocosecret_wipe_failed() {
    cocosecret_msg "cannot wipe the launch secret: stopping the boot (power off)"
    sync 2> /dev/null
    echo o > "$COCOSECRET_SYSRQ" 2> /dev/null
    # (still here: only in the tests, or without sysrq)
    return 1
}

# How many targets other than NAME still wait for the secret (neither active
# nor attempted)?
cocosecret_pending() {
    local _uuid _name _opts _left=0
    while read -r _uuid _name _opts; do
        [ -n "$_uuid" ] || continue
        [ "$_name" = "$1" ] && continue
        [ -b "/dev/mapper/$_name" ] && continue
        [ -e "$COCOSECRET_RUN/attempted-$_name" ] && continue
        _left=$((_left + 1))
    done << TARGETS
$(cocosecret_targets)
TARGETS
    echo "$_left"
}

# Wipe as soon as no target waits for the secret any more: each one is
# active or has had its attempt.  (Volumes found by rd.cocosecret.auto are
# not known in advance: the last wipe covers them.)
cocosecret_wipe_if_done() {
    # After an unlock attempt securityfs is mounted and efi_secret loaded: no
    # directory means no secret area, nothing to wipe (and no process to start
    # on the way to the prompt).
    [ -d /sys/kernel/security/secrets/coco ] || return 0
    [ "$(cocosecret_pending "")" = 0 ] || return 0
    # Every trusted GUID is covered; the kernel nulls a wiped entry's GUID and
    # it never comes back, and nothing untrusted is ever read: the last wipe
    # before switch_root has nothing left to do.
    cocosecret_wipe_ours && : > "$COCOSECRET_WIPED"
    return 0
}

# The PIDs of the running processes whose name (/proc/PID/comm, 15
# characters at most) is one of the words of $1, zombies left out: their
# memory is gone already.  Into _inflight, space-separated ("" when none).
_cocosecret_procs() {
    local _p _c _k _v _r
    _inflight=""
    for _p in /proc/[0-9]*; do
        _c=""
        read -r _c < "$_p/comm" 2> /dev/null || continue
        case " $1 " in *" $_c "*) ;; *) continue ;; esac
        _v=""
        while read -r _k _v _r; do
            [ "$_k" = State: ] && break
        done < "$_p/status" 2> /dev/null
        [ "$_v" = Z ] && continue
        _inflight="$_inflight ${_p#/proc/}"
    done
    _inflight=${_inflight# }
    return 0
}

# The emergency path (a unit failed, a device timed out: emergency.target),
# before the wipe and the shell: an unlock may be in flight, a `cocosecret
# unlock` (cocosecret@.service) that read the secret and is deriving a slow
# keyslot with it in its memory.  Unlinking the entry does not reach that
# copy, and the shell is on the host's console.  Wait for it: the binary
# blocks TERM from its read to its last wipe and scrubs every copy as it
# exits.  After COCOSECRET_INFLIGHT_WAIT seconds (60: an argon2id keyslot
# of 1 GiB, cryptsetup's largest default, on a slow VM) SIGKILL what still
# runs, and wait for it to be gone (the kernel frees its pages; init_on_free=1
# zeroes them).  Without systemd the initqueue runs the unlock in dracut's
# own process, to its end, before anything else: nothing is ever in flight.
COCOSECRET_INFLIGHT_WAIT=60
_cocosecret_uptime() {
    local _r
    read -r _up _r < /proc/uptime
    _up=${_up%%.*}
}
cocosecret_wait_inflight() {
    local _names="${1:-cocosecret}" _t0 _up _said=""
    _cocosecret_uptime
    _t0=$_up
    while :; do
        _cocosecret_procs "$_names"
        _cocosecret_uptime
        [ -n "$_inflight" ] || break
        if [ -z "$_said" ]; then
            cocosecret_msg "waiting for the unlock in flight (pid $_inflight) to finish before the emergency shell (at most $COCOSECRET_INFLIGHT_WAIT s)"
            _said=1
        fi
        if [ $((_up - _t0)) -ge "$COCOSECRET_INFLIGHT_WAIT" ]; then
            cocosecret_msg "the unlock in flight still runs after $((_up - _t0)) s: killing it (pid $_inflight)"
            # shellcheck disable=SC2086 # one PID per word
            kill -KILL $_inflight 2> /dev/null
            _t0=$_up
            while [ $((_up - _t0)) -lt 30 ]; do
                sleep 1
                _cocosecret_procs "$_names"
                [ -n "$_inflight" ] || break
                _cocosecret_uptime
            done
            if [ -n "$_inflight" ]; then
                cocosecret_msg "the unlock in flight (pid $_inflight) does not die"
                return 1
            fi
            cocosecret_msg "the unlock in flight is killed"
            return 0
        fi
        sleep 1
    done
    [ -n "$_said" ] && cocosecret_msg "the unlock in flight finished after $((_up - _t0)) s"
    return 0
}

# The emergency wipe (cocosecret-emergency.service, the emergency hook):
# wait for an unlock in flight, then the last wipe.  An unlock that cannot be
# stopped stops the boot instead (power off), as a wipe that fails does.
cocosecret_wipe_emergency() {
    cocosecret_enabled || return 0
    [ -e "$COCOSECRET_AREA" ] || return 0
    if ! cocosecret_wait_inflight cocosecret; then
        cocosecret_wipe_ours
        cocosecret_msg "an unlock holding the secret cannot be stopped: stopping the boot (power off)"
        sync 2> /dev/null
        echo o > "$COCOSECRET_SYSRQ" 2> /dev/null
        return 1
    fi
    cocosecret_wipe_final
}

# The last wipe before switch_root (cleanup hook, cocosecret-wipe.service) and
# before any emergency shell: nothing to do without a secret area, or once
# everything of ours is wiped.  A wipe that fails stops the boot.
cocosecret_wipe_final() {
    cocosecret_enabled || return 0
    [ -e "$COCOSECRET_AREA" ] || return 0
    [ -e "$COCOSECRET_WIPED" ] && return 0
    [ -d "$COCOSECRET_RUN" ] || mkdir -m 0700 "$COCOSECRET_RUN"
    if cocosecret_wipe_ours; then
        : > "$COCOSECRET_WIPED"
        return 0
    fi
    cocosecret_wipe_failed
}
