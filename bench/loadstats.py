"""The load generator's figures: latency percentiles over every worker's
operations, and where the machine's CPU went during a phase."""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any


def percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class CpuSnapshot:
    wall: float
    machine: float  # busy CPU seconds of the whole machine, all cores
    procs: dict[int, tuple[str, float]]  # pid -> (postgres|pgbouncer, CPU seconds)


def cpu_snapshot(database: str, pooler_match: str | None) -> CpuSnapshot:
    """CPU seconds used so far by the whole machine, by the PostgreSQL backends
    serving `database` (PgBouncer keeps its server connections open, so they
    live through a phase), and by the PgBouncer process(es) whose command line
    contains `pooler_match` (every pgbouncer if None)."""
    machine = 0.0
    with contextlib.suppress(OSError), open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        machine = (sum(fields[:8]) - idle) / _TICK
    procs: dict[int, tuple[str, float]] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        if comm == "postgres":
            ours = f" {database} " in cmdline  # "postgres: 15/main: USER DATABASE HOST ..."
        elif comm == "pgbouncer":
            ours = pooler_match is None or pooler_match in cmdline
        else:
            continue
        if ours:
            ticks = stat[stat.rindex(")") + 2 :].split()
            procs[int(pid)] = (comm, sum(int(t) for t in ticks[11:13]) / _TICK)  # utime stime
    return CpuSnapshot(time.monotonic(), machine, procs)


def cpu_split(before: CpuSnapshot, after: CpuSnapshot, loadgen: float) -> dict[str, Any]:
    """Where the CPU went between two snapshots. A process that exited in
    between is left out (what it used after `before` is lost)."""
    used = {"postgres": 0.0, "pgbouncer": 0.0}
    for pid, (kind, seconds) in after.procs.items():
        prior = before.procs.get(pid)
        used[kind] += seconds - (prior[1] if prior and prior[0] == kind else 0.0)
    machine = after.machine - before.machine
    return {
        "loadgen_s": loadgen,
        "postgres_s": used["postgres"],
        "pgbouncer_s": used["pgbouncer"],
        "machine_s": machine,
        "wall_s": after.wall - before.wall,
        "other_s": max(0.0, machine - loadgen - used["postgres"] - used["pgbouncer"]),
    }


def summary(parts: list[dict[str, Any]], duration: float) -> dict[str, Any]:
    ops = [tuple(op) for part in parts for op in part["ops"]]
    latency = [end - due for _, due, _, end, _ in ops]
    errors = Counter(err for *_, err in ops if err)
    out: dict[str, Any] = {
        "ops": len(ops),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "error_samples": [s for part in parts for s in part["error_samples"]][:5],
        "retries": sum(part["retries"] for part in parts),
        "elapsed_s": duration,
        "ops_per_s": len(ops) / duration,
        "threads": sum(part["threads"] for part in parts),
        "loadgen_cpu_s": sum(part["cpu_s"] for part in parts),
        "by_kind": {},
    }
    if not ops:
        return out
    out.update({f"p{p}_ms": percentile(latency, p) * 1000 for p in (50, 95, 99)})
    out["max_ms"] = max(latency) * 1000
    out["late_start_p99_ms"] = percentile([s - d for _, d, s, _, _ in ops], 99) * 1000
    # The most operations in flight at once, from every worker's start/end times.
    events = sorted([(s, 1) for _, _, s, _, _ in ops] + [(e, -1) for *_, e, _ in ops])
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    out["max_in_flight"] = peak
    for kind in sorted({op[0] for op in ops}):
        values = [end - due for k, due, _, end, _ in ops if k == kind]
        out["by_kind"][kind] = {
            "ops": len(values),
            **{f"p{p}_ms": percentile(values, p) * 1000 for p in (50, 95, 99)},
        }
    return out
