#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""report.py - bench/'s tables: min/median/max per variant and the ratios.

Usage: report.py DIR [DIR...]
  reads DIR/unlock.tsv, boot.tsv, fallback.tsv, rss.tsv, size.tsv when present,
  prints Markdown, writes DIR/boot-chart.dat (the first DIR) for gnuplot. With
  several DIRs (e.g. a full run and a supplementary --only boot run on the same
  images) their rows are pooled; per-round pairs stay within each run.
Run 0 of unlock.tsv is the warm-up round: shown in the raw data, not counted.
"""
import csv
import os
import statistics
import sys


DIRS = []
PHASES = []


def load(path):
    """Rows of one TSV; with several DIRs, the rows of all of them (runs renamed
    DIRINDEX.RUN so that rounds stay paired within their own run)."""
    name = os.path.basename(path)
    rows, found = [], False
    for i, d in enumerate(DIRS):
        p = os.path.join(d, name)
        if not os.path.isfile(p):
            continue
        found = True
        with open(p) as f:
            for r in csv.DictReader(f, delimiter="\t"):
                if len(DIRS) > 1 and r.get("run") not in (None, "0"):
                    r["run"] = f"{i}.{r['run']}"
                rows.append(r)
    return rows if found else None


def mmm(xs):
    if not xs:
        return None
    return min(xs), statistics.median(xs), max(xs)


def fmt(t, unit="", nd=2):
    if t is None:
        return "–"
    return " / ".join(f"{x:.{nd}f}" for x in t) + unit


def ratio(a, b):
    if not a or not b or b == 0:
        return None
    return a / b


def paired(rows_a, rows_b, key):
    """Per-round ratios a/b for rounds where both succeeded."""
    b = {r["run"]: float(r[key]) for r in rows_b}
    out = []
    for r in rows_a:
        if r["run"] in b and b[r["run"]] > 0:
            out.append(float(r[key]) / b[r["run"]])
    return out


def rfmt(x, nd=2):
    return "–" if x is None else f"{x:.{nd}f}"


def unlock_table(d):
    rows = load(os.path.join(d, "unlock.tsv"))
    if rows is None:
        return
    print("### 1. Unlock step inside the VM (process start → dm device live)\n")
    ok = {}
    names = []
    for r in rows:
        v = r["variant"]
        if v not in names:
            names.append(v)
        if r["run"] == "0":
            continue
        good = r["rc"] == "0" and r["dm"] == "live"
        ok.setdefault(v, {"ok": [], "bad": 0})
        if good:
            ok[v]["ok"].append(r)
        else:
            ok[v]["bad"] += 1
    print("| variant | runs ok | failed | ms min / median / max | guest peak RSS KiB |")
    print("|---|---|---|---|---|")
    med = {}
    for v in names:
        e = ok.get(v, {"ok": [], "bad": 0})
        ms = [int(r["ns"]) / 1e6 for r in e["ok"]]
        rss = sorted({int(r["maxrss_kb"]) for r in e["ok"]})
        t = mmm(ms)
        med[v] = t[1] if t else None
        rs = "–" if not rss else (str(rss[0]) if len(rss) == 1 else f"{rss[0]}–{rss[-1]}")
        print(f"| {v} | {len(ms)} | {e['bad']} | {fmt(t, nd=1)} | {rs} |")
    print()

    def pr(a, b, label, target=None):
        if a not in ok or b not in ok:
            return
        pr_ = paired(ok[a]["ok"], ok[b]["ok"], "ns")
        t = mmm(pr_)
        tgt = ""
        if target is not None and med.get(a) and med.get(b):
            tgt = " — target ≤ %.2f: **%s**" % (
                target, "met" if med[a] / med[b] <= target else "MISSED")
        print(f"- {label}: ratio of medians **{rfmt(ratio(med.get(a), med.get(b)))}**; "
              f"per-round ratios min / median / max {fmt(t)}{tgt}")

    pr("coco-pbkdf2", "cs-pbkdf2", "(a)/(b) cocosecret / cryptsetup, minimal PBKDF2 slot", 1.0)
    pr("coco-argon2", "cs-argon2", "cocosecret / cryptsetup, argon2id slot")
    pr("coco-argon2", "coco-pbkdf2", "(c)/(a) cocosecret argon2id / cocosecret PBKDF2")
    pr("cs-argon2", "cs-pbkdf2", "(c)/(b) cryptsetup argon2id / cryptsetup PBKDF2")
    print()


def boot_like(d, fname, title, variants, floor, target, metric, unit, target_kind):
    rows = load(os.path.join(d, fname))
    if rows is None:
        return None
    print(title + "\n")
    modes = []
    for r in rows:
        if r["mode"] not in modes:
            modes.append(r["mode"])
    print(f"| mode | variant | runs ok | failed | {metric} s min / median / max | "
          f"wall kernel→marker s median | vs {floor} (medians) |")
    print("|---|---|---|---|---|---|---|")
    chart = []
    verdicts = []
    for m in modes:
        med = {}
        data = {}
        for v in variants:
            rs = [r for r in rows if r["mode"] == m and r["variant"] == v]
            good = [r for r in rs if r["status"] == "ok" and r[unit] not in ("", "-")]
            xs = [float(r[unit]) for r in good]
            walls = [float(r["wall_s"]) for r in good if r["wall_s"] not in ("", "-")]
            t = mmm(xs)
            data[v] = (good, rs, t, walls)
            med[v] = t[1] if t else None
        for v in variants:
            good, rs, t, walls = data[v]
            if not rs:
                continue
            if target_kind == "ratio":
                rel = ratio(med[v], med.get(floor))
                rel_s = "–" if rel is None else f"{rel:.3f}"
            else:
                rel = None if med[v] is None or med.get(floor) is None else med[v] - med[floor]
                rel_s = "–" if rel is None else f"{rel:+.2f} s"
            wm = statistics.median(walls) if walls else None
            print(f"| {m} | {v} | {len(good)} | {len(rs) - len(good)} | {fmt(t)} | "
                  f"{rfmt(wm)} | {rel_s} |")
            if t:
                chart.append((m, v, t))
        a = variants[0]
        if med.get(a) is not None and med.get(floor) is not None:
            if target_kind == "ratio":
                val = med[a] / med[floor]
                ok = val <= target
                pairs = paired(data[a][0], data[floor][0], unit)
                verdicts.append(f"- {m}: {a} / {floor} = **{val:.3f}** (per-round "
                                f"{fmt(mmm(pairs), nd=3)}) — target ≤ {target}: "
                                f"**{'met' if ok else 'MISSED'}**")
            else:
                val = med[a] - med[floor]
                ok = val <= target
                verdicts.append(f"- {m}: {a} − {floor} = **{val:+.2f} s** — target ≤ "
                                f"+{target} s: **{'met' if ok else 'MISSED'}**")
    print()
    for v in verdicts:
        print(v)
    print()
    return chart


def fallback_breakdown(d):
    """Where the fallback time goes, on the guest kernel clock (the prompt itself has no
    kernel timestamp: its time is the wall clock from `Linux version`, which tracks it)."""
    rows = load(os.path.join(d, "fallback.tsv"))
    if rows is None or "dm_s" not in rows[0]:
        return
    num = lambda x: None if x in ("", "-", None) else float(x)
    print("Where it goes (medians, s): *kernel → dm* = until device-mapper comes up, i.e. "
          "the first unlock attempt (cocosecret's, or cryptsetup's) starts; *dm → prompt* = "
          "the serial work from there to the prompt; per-round paired difference of the "
          "prompt times.\n")
    print("| mode | variant | kernel → dm | dm → cocosecret's fallback message | dm → prompt | "
          "prompt − crypt's, per round (min / median / max) |")
    print("|---|---|---|---|---|---|")
    for m in sorted({r["mode"] for r in rows}):
        base = {r["run"]: num(r["prompt_s"]) for r in rows
                if r["mode"] == m and r["variant"] == "crypt" and r["status"] == "ok"}
        for v in ("cocosecret", "crypt"):
            rs = [r for r in rows if r["mode"] == m and r["variant"] == v and r["status"] == "ok"]
            if not rs:
                continue
            k_dm = [num(r["dm_s"]) for r in rs if num(r["dm_s"]) is not None]
            dm_p = [num(r["prompt_s"]) - num(r["dm_s"]) for r in rs if num(r["dm_s"]) is not None]
            dm_fb = [num(r["cocofb_s"]) - num(r["dm_s"]) for r in rs
                     if num(r["dm_s"]) is not None and num(r["cocofb_s"]) is not None]
            diffs = [num(r["prompt_s"]) - base[r["run"]] for r in rs
                     if base.get(r["run"]) is not None]
            med = lambda xs: rfmt(statistics.median(xs)) if xs else "–"
            dd = "–" if v == "crypt" else fmt(mmm(diffs))
            print(f"| {m} | {v} | {med(k_dm)} | {med(dm_fb)} | {med(dm_p)} | {dd} |")
    print()


def boot_breakdown(d):
    """Boot phases on the kernel clock, split where the images differ."""
    rows = load(os.path.join(d, "boot.tsv"))
    if rows is None or "dm_s" not in rows[0]:
        return
    num = lambda x: None if x in ("", "-", None) else float(x)
    has = "mount_s" in rows[0]
    print("Phases (kernel clock, medians, s): *kernel → dm* until device-mapper comes up "
          "(the unlock starts; nearly the same work in every image); *dm → mount* the unlock "
          "and the root mount; *mount → switch_root* the rest of the initramfs (pre-pivot, "
          "cleanup, the wipe); *switch_root → marker* the real root's init.\n")
    if has:
        print("| mode | variant | kernel → dm | dm → mount | mount → switch_root | "
              "switch_root → marker | total |")
        print("|---|---|---|---|---|---|---|")
    else:
        print("| mode | variant | kernel → dm | dm → root init | total |")
        print("|---|---|---|---|---|")
    med = lambda xs: rfmt(statistics.median(xs)) if xs else "–"
    for m in sorted({r["mode"] for r in rows}):
        for v in ("cocosecret", "token", "crypt-keyfile", "crypt-efisecret"):
            rs = [r for r in rows if r["mode"] == m and r["variant"] == v and r["status"] == "ok"]
            if not rs:
                continue
            g = lambda r, k: num(r.get(k))
            k_dm = [g(r, "dm_s") for r in rs if g(r, "dm_s") is not None]
            up = [g(r, "uptime_s") for r in rs]
            if has:
                a = [g(r, "mount_s") - g(r, "dm_s") for r in rs
                     if None not in (g(r, "mount_s"), g(r, "dm_s"))]
                b = [g(r, "switch_s") - g(r, "mount_s") for r in rs
                     if None not in (g(r, "switch_s"), g(r, "mount_s"))]
                c = [g(r, "uptime_s") - g(r, "switch_s") for r in rs
                     if g(r, "switch_s") is not None]
                print(f"| {m} | {v} | {med(k_dm)} | {med(a)} | {med(b)} | {med(c)} | {med(up)} |")
                if k_dm and a and b and c:
                    PHASES.append((m, v, statistics.median(k_dm), statistics.median(a),
                                   statistics.median(b), statistics.median(c)))
            else:
                a = [g(r, "uptime_s") - g(r, "dm_s") for r in rs if g(r, "dm_s") is not None]
                print(f"| {m} | {v} | {med(k_dm)} | {med(a)} | {med(up)} |")
    print()


def token_note(d):
    """The token plugin's path (systemd-cryptsetup + libcryptsetup-token-cocosecret.so)
    against the module's own unlock and the key-in-initramfs floor, same rounds."""
    rows = load(os.path.join(d, "boot.tsv"))
    if rows is None:
        return
    for m in sorted({r["mode"] for r in rows}):
        ok = lambda v: [r for r in rows if r["mode"] == m and r["variant"] == v
                        and r["status"] == "ok" and r["uptime_s"] not in ("", "-")]
        tk = ok("token")
        if not tk:
            continue
        med = lambda rs: statistics.median(float(r["uptime_s"]) for r in rs) if rs else None
        for other in ("cocosecret", "crypt-keyfile"):
            o = ok(other)
            if not o:
                continue
            pairs = paired(tk, o, "uptime_s")
            print(f"- {m}: token / {other} = **{med(tk) / med(o):.3f}** (medians "
                  f"{med(tk):.2f} / {med(o):.2f} s; per-round {fmt(mmm(pairs), nd=3)})")
    print()


def efisecret_note(d):
    """When did efi_secret (autoloaded by udev) make its entries, against the unlock?"""
    rows = load(os.path.join(d, "boot.tsv"))
    if rows is None or "efisecret_s" not in rows[0]:
        return
    print("efi_secret in the `crypt-efisecret` boots (nothing loads it but udev's modalias "
          "autoload; kernel clock, s):\n")
    print("| mode | boots | entries created (median) | device-mapper up = unlock starts (median) "
          "| entries before the unlock | boots ok |")
    print("|---|---|---|---|---|---|")
    for m in sorted({r["mode"] for r in rows}):
        rs = [r for r in rows if r["mode"] == m and r["variant"] == "crypt-efisecret"]
        if not rs:
            continue
        e = [float(r["efisecret_s"]) for r in rs if r["efisecret_s"] not in ("", "-")]
        dm = [float(r["dm_s"]) for r in rs if r["dm_s"] not in ("", "-")]
        before = sum(1 for r in rs if r["efisecret_s"] not in ("", "-") and
                     r["dm_s"] not in ("", "-") and float(r["efisecret_s"]) < float(r["dm_s"]))
        ok = sum(1 for r in rs if r["status"] == "ok")
        print(f"| {m} | {len(rs)} | {rfmt(statistics.median(e) if e else None)} | "
              f"{rfmt(statistics.median(dm) if dm else None)} | {before}/{len(rs)} | {ok}/{len(rs)} |")
    print()


def rss_table(d):
    rows = load(os.path.join(d, "rss.tsv"))
    if rows is None:
        return
    print("### 5. Peak RSS on the host (GNU time, `--test-passphrase`)\n")
    print("| tool | slot | runs | max RSS KiB min / median / max | s median |")
    print("|---|---|---|---|---|")
    keys = []
    for r in rows:
        k = (r["tool"], r["slot"])
        if k not in keys:
            keys.append(k)
    for k in keys:
        rs = [r for r in rows if (r["tool"], r["slot"]) == k and r["rc"] == "0"]
        kb = [int(r["maxrss_kb"]) for r in rs]
        s = [float(r["seconds"]) for r in rs]
        t = mmm(kb)
        print(f"| {k[0]} | {k[1]} | {len(rs)} | {fmt(t, nd=0)} | "
              f"{rfmt(statistics.median(s) if s else None)} |")
    print()


def size_table(d):
    rows = load(os.path.join(d, "size.tsv"))
    if rows is None:
        return
    print("### 4. Size\n")
    print("| what | bytes | MiB | target |")
    print("|---|---|---|---|")
    for r in rows:
        b = int(r["bytes"])
        print(f"| {r['what']} | {b} | {b / 1048576:.3f} | {r['target']} |")
    print()


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: report.py DIR [DIR...]  (several DIRs: their rows pooled)")
    DIRS.extend(sys.argv[1:])
    d = sys.argv[1]
    unlock_table(d)
    chart = boot_like(d, "boot.tsv",
                      "### 2. Boot to the real root (kernel clock at the root's `COCO: uptime`)",
                      ["cocosecret", "token", "crypt-keyfile", "crypt-efisecret"], "crypt-keyfile",
                      1.05, "uptime", "uptime_s", "ratio")
    token_note(d)
    boot_breakdown(d)
    efisecret_note(d)
    boot_like(d, "fallback.tsv",
              "### 3. Fallback: no secret table → passphrase prompt (wall, from `Linux version`)",
              ["cocosecret", "crypt"], "crypt", 1.0, "prompt", "prompt_s", "delta")
    fallback_breakdown(d)
    size_table(d)
    rss_table(d)
    if chart:
        # x: one group of bars per mode, a gap between groups
        with open(os.path.join(d, "boot-chart.dat"), "w") as f:
            f.write("# x variant mode min median max\n")
            modes, x = [], 0
            for m, v, t in chart:
                if m not in modes:
                    if modes:
                        x += 1
                    modes.append(m)
                f.write(f"{x}\t\"{v}\"\t\"{m}\"\t{t[0]:.3f}\t{t[1]:.3f}\t{t[2]:.3f}\n")
                x += 1
    if PHASES:
        with open(os.path.join(d, "boot-phases.dat"), "w") as f:
            f.write("# label kernel->dm dm->mount mount->switch_root switch_root->marker\n")
            for m, v, *ph in PHASES:
                f.write(f"\"{m}\\n{v}\"\t" + "\t".join(f"{x:.3f}" for x in ph) + "\n")


if __name__ == "__main__":
    main()
