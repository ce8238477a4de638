"""Pictures and summaries of chaos runs.

timeline(): a PNG from gnuplot (Debian's gnuplot-nox): top, every operation as a point at its
completion time, one row per client process, coloured ok / fail / unknown, with each fault
shaded over the time it was active; bottom, each operation's latency (log scale).
"""
import os
import shutil
import subprocess
import tempfile

COLOURS = {"ok": "#2a9d2a", "fail": "#d62728", "info": "#ff9f1c"}


def _operations(events):
    """(process, f, invoke time, completion time, completion type) for each operation."""
    open_ops = {}
    ops = []
    for e in events:
        if e["type"] == "invoke":
            open_ops[e["process"]] = e
        elif e["type"] in ("ok", "fail", "info") and e["process"] in open_ops:
            start = open_ops.pop(e["process"])
            ops.append((e["process"], e["f"], start["time"], e["time"], e["type"]))
    return ops


def _fault_intervals(faults):
    started = {}
    intervals = []
    for entry in faults:
        if entry["phase"] == "start":
            started[entry["fault"]] = entry
        elif entry["phase"] == "end" and entry["fault"] in started:
            s = started.pop(entry["fault"])
            intervals.append((s["time"], entry["time"], entry["fault"], s["servers"]))
    return intervals


def timeline(events, faults, png_path, title="chaos run"):
    if not shutil.which("gnuplot"):
        raise RuntimeError("gnuplot is not installed (Debian package gnuplot-nox)")
    ops = _operations(events)
    if not ops:
        raise RuntimeError("no operations to plot")
    rows = {p: i for i, p in enumerate(sorted({o[0] for o in ops}))}
    end = max(o[3] for o in ops)
    with tempfile.TemporaryDirectory(prefix="chaos-plot-") as tmp:
        data = {}
        for kind in COLOURS:
            path = os.path.join(tmp, f"{kind}.dat")
            with open(path, "w") as f:
                for p, _f, t0, t1, typ in ops:
                    if typ == kind:
                        f.write(f"{t1:.4f} {rows[p]} {max(t1 - t0, 1e-4) * 1000:.3f}\n")
            data[kind] = path
        shading = []
        for n, (t0, t1, fault, servers) in enumerate(_fault_intervals(faults)):
            shading.append(f"set object {n + 1} rect from {t0:.3f}, graph 0 to {t1:.3f}, "
                           "graph 1 fc rgb '#cccccc' fs solid 0.5 noborder behind")
            label = fault + (f" {servers}" if servers else "")
            shading.append(f"set label {n + 1} '{label}' at {t0:.3f}, graph 1.0 rotate by 90 "
                           "right font ',7' offset 0.4,-0.3")
        script = "\n".join([
            "set terminal pngcairo size 1600,900 font ',9'" if _has_cairo() else
            "set terminal png size 1600,900",
            f"set output '{png_path}'",
            "set multiplot layout 2,1 title " + _quote(title),
            f"set xrange [0:{end + 1:.1f}]",
            "set ylabel 'client process'",
            f"set yrange [-1:{len(rows) + 1}]",
            "set key outside right",
            *shading,
            "plot " + ", ".join(
                f"'{data[k]}' using 1:2 with points pt 7 ps 0.35 lc rgb '{c}' title '{k}'"
                for k, c in COLOURS.items()),
            "unset object", "unset label",
            "set ylabel 'latency (ms)'", "set logscale y", "set yrange [*:*]",
            "set xlabel 'seconds since start'",
            "plot " + ", ".join(
                f"'{data[k]}' using 1:3 with points pt 7 ps 0.3 lc rgb '{c}' title '{k}'"
                for k, c in COLOURS.items()),
            "unset multiplot", ""])
        result = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True,
                                timeout=60)
        if result.returncode != 0 or not os.path.exists(png_path):
            raise RuntimeError(f"gnuplot failed: {result.stderr.strip()[:500]}")
    return png_path


def _has_cairo():
    result = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in result.stdout + result.stderr


def _quote(text):
    return "'" + text.replace("'", "") + "'"


WRITES = ("write", "cas", "add")


def outages(events, faults):
    """For each fault: the longest time without an acknowledged write, from the fault's start
    until the next fault starts (or the history ends). [(fault, start, seconds)]."""
    acked = sorted(e["time"] for e in events if e["type"] == "ok" and e["f"] in WRITES)
    starts = [(f["time"], f["fault"]) for f in faults if f["phase"] == "start"]
    end = max((e["time"] for e in events), default=0.0)
    result = []
    for n, (t0, fault) in enumerate(starts):
        t1 = starts[n + 1][0] if n + 1 < len(starts) else end
        points = [t0] + [t for t in acked if t0 <= t <= t1] + [t1]
        result.append((fault, t0, max(b - a for a, b in zip(points, points[1:]))))
    return result


def outage_table(verdicts):
    """Markdown: per fault, the median and maximum write outage over the scenarios."""
    by_fault = _gaps_by_fault(verdicts)
    lines = ["| fault | times | median longest write gap (s) | max (s) |", "|---|---|---|---|"]
    for fault in sorted(by_fault):
        xs = sorted(by_fault[fault])
        lines.append(f"| {fault} | {len(xs)} | {xs[len(xs) // 2]:.2f} | {xs[-1]:.2f} |")
    return lines


def _gaps_by_fault(verdicts):
    by_fault = {}
    for v in verdicts:
        for fault, _t0, seconds in v.get("outages", []):
            by_fault.setdefault(fault, []).append(seconds)
    return by_fault


def comparison_table(campaigns):
    """Markdown: per fault, the median (and max) longest write gap of each campaign side by
    side, and the median's ratio to the first campaign's. `campaigns`: [(label, verdicts)]."""
    gaps = [(label, _gaps_by_fault(verdicts)) for label, verdicts in campaigns]
    faults = sorted(set().union(*(g.keys() for _label, g in gaps)))
    first = gaps[0][0]
    head = "| fault | " + " | ".join(f"{label}: median (max) s" for label, _g in gaps)
    head += "".join(f" | {label} / {first}" for label, _g in gaps[1:]) + " |"
    lines = [head, "|---" * (1 + 2 * len(gaps) - 1) + "|"]

    def median(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2] if xs else None

    for fault in faults:
        cells = []
        medians = []
        for _label, g in gaps:
            xs = g.get(fault, [])
            m = median(xs)
            medians.append(m)
            cells.append(f"{m:.2f} ({max(xs):.2f})" if xs else "—")
        for m in medians[1:]:
            base = medians[0]
            cells.append(f"{m / base:.1f}" if m is not None and base else "—")
        lines.append(f"| {fault} | " + " | ".join(cells) + " |")
    return lines


def summary_markdown(verdicts, header):
    """A campaign report: one line per scenario and the details of each failure."""
    lines = [header, "", "| scenario | servers | seed | operations | faults | verdict |",
             "|---|---|---|---|---|---|"]
    for v in verdicts:
        lines.append(f"| {v['scenario']} | {v['servers']} | {v['seed']} | "
                     f"{v.get('operations', 0)} | {len(v['schedule'])} | "
                     f"{'PASS' if v['valid'] else 'FAIL'} |")
    lines += ["", "Longest time without an acknowledged write after each fault starts (until the "
              "next one starts; includes its hold time):", ""] + outage_table(verdicts)
    for v in verdicts:
        if v["valid"]:
            continue
        lines += ["", f"## {v['scenario']} (seed {v['seed']}): FAIL", ""]
        for p in v["problems"]:
            lines.append(f"- {p}")
        for name, result in v.get("checkers", {}).items():
            if result.get("valid") is not True:
                lines.append(f"- checker `{name}`: {result.get('explanation', result)}")
    return "\n".join(lines) + "\n"
