"""Load generator for the data layer: many clients, each one user, through a pooler.

Open loop: CLIENTS threads, one per user; each sleeps an exponential random
interval (mean MEAN_INTERVAL seconds), then runs one operation the way a
`todo` command does (`todo_cli.db.run`: new engine, one connection, one
transaction), for DURATION seconds. Together they offer CLIENTS /
MEAN_INTERVAL operations per second as a Poisson process, whatever the
latency. Latency is measured from when the operation was due, not from when
the thread got round to it, so a client that falls behind is charged for it.

Before it, a light phase: the same open loop with a tenth of the clients for
LIGHT_DURATION seconds, the latency without queueing. After it, a closed
loop: CLOSED_CLIENTS threads run operations back to back for CLOSED_DURATION
seconds, the throughput ceiling of this setup.

Operations: 60% list (the default list's query: `page`, limit 50), 30% add
(`todos.add`, one title, a request id), 10% done (`todos.complete` of one of
the client's own open todos; an add if it has none). Any exception is an
error; retries the data layer made (transient failures it hid) are counted
too. The database must hold users user1..userN with SEEDED open todos
numbered 1..SEEDED each.

The clients are spread over PROCESSES worker processes (this script again,
with --worker), started together: real clients are separate processes, and
one interpreter's GIL would otherwise add its own queueing to every
operation. The parent only coordinates and merges.

    python bench/loadgen.py URL [--clients 1000] [--mean-interval 5] [--duration 60]
        [--closed-clients 50] [--closed-duration 15] [--light-duration 10] [--seeded 20]
        [--processes 4]

Prints one JSON object on stdout; progress on stderr. Needs todo_cli importable.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

MIX = (("list", 0.6), ("add", 0.3), ("done", 0.1))
LIST_LIMIT = 50
STACK_SIZE = 512 * 1024  # 1,000 threads at the default 8 MiB would reserve 8 GiB
START_DELAY = 1.0  # seconds between "go" and the first due operation


def page_function(limit: int, sort: str = "default") -> Callable[[Any], Any]:
    """The list's query, first `limit` todos and the total: listing.page(filter=
    Filter(), sort=...) where the package has a listing module; todos.page(limit=...)
    (always by number) in versions before it."""
    from todo_cli import todos

    try:
        from todo_cli import listing  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return lambda s: todos.page(s, limit=limit)  # type: ignore[attr-defined, unused-ignore]
    return lambda s: listing.page(s, filter=listing.Filter(), sort=sort, limit=limit)


# --- one worker process ----------------------------------------------------------


@dataclass
class Recorder:
    """Every operation of one phase: (kind, due, start, end, error) in seconds
    from the phase's start; appends under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    ops: list[tuple[str, float, float, float, str | None]] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    retries: int = 0

    def record(self, op: tuple[str, float, float, float, str | None], sample: str) -> None:
        with self.lock:
            self.ops.append(op)
            if sample and len(self.error_samples) < 5:
                self.error_samples.append(sample)

    def retried(self, _message: str) -> None:
        with self.lock:
            self.retries += 1


class Client:
    """One user: its settings and the numbers of its open todos."""

    def __init__(self, settings: Any, open_numbers: list[int], rng: random.Random) -> None:
        self.settings = settings
        self.open = open_numbers
        self.rng = rng

    def pick(self) -> str:
        r = self.rng.random()
        for kind, weight in MIX:
            if r < weight:
                return kind
            r -= weight
        return MIX[-1][0]

    def operate(self, kind: str, page: Callable[[Any], Any], recorder: Recorder) -> None:
        from todo_cli import db, todos

        if kind == "done" and not self.open:
            kind = "add"
        hook = recorder.retried
        if kind == "list":
            db.run(self.settings, page, retry_unknown_commit=True, on_retry=hook)
        elif kind == "add":
            rid = uuid.uuid4().hex
            todo = db.run(
                self.settings,
                lambda s: todos.add(s, title="Load test todo", request_id=rid),
                retry_unknown_commit=True,
                on_retry=hook,
            )
            self.open.append(todo.number)
        else:
            number = self.open.pop(self.rng.randrange(len(self.open)))
            db.run(
                self.settings,
                lambda s: todos.complete(s, numbers=[number]),
                retry_unknown_commit=True,
                on_retry=hook,
            )


def timed(
    client: Client,
    page: Callable[[Any], Any],
    recorder: Recorder,
    *,
    due: float,
    zero: float,
) -> None:
    """Run one operation and record it (times relative to `zero`)."""
    kind = client.pick()
    start = time.perf_counter()
    error, sample = None, ""
    try:
        client.operate(kind, page, recorder)
    except Exception as exc:  # any exception is an error, and the client goes on
        error = type(exc).__name__
        sample = f"{kind}: {error}: {(str(exc).splitlines() or [''])[0][:200]}"
    end = time.perf_counter()
    recorder.record((kind, due - zero, start - zero, end - zero, error), sample)


def run_threads(bodies: list[Callable[[], None]], *, deadline: float, stop: threading.Event) -> int:
    """Start a thread per body and wait for all; past the deadline, tell the
    rest to stop after their current operation. Returns how many failed to start."""
    threads, failed = [], 0
    for i, body in enumerate(bodies):
        thread = threading.Thread(target=body, name=f"client-{i}", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # "can't start new thread": report it, go on with fewer
            failed += 1
            continue
        threads.append(thread)
    for thread in threads:
        thread.join(max(0.0, deadline - time.perf_counter()))
        if thread.is_alive():
            stop.set()
            break
    for thread in threads:
        thread.join(10)
    alive = sum(t.is_alive() for t in threads)
    if alive:
        print(f"loadgen: {alive} threads still running", file=sys.stderr)
    return failed


def open_loop(
    clients: list[Client],
    page: Callable[[Any], Any],
    *,
    zero: float,
    mean_interval: float,
    duration: float,
    stop: threading.Event,
) -> tuple[Recorder, int]:
    recorder = Recorder()
    end = zero + duration

    def body(client: Client) -> Callable[[], None]:
        def loop() -> None:
            due = zero + client.rng.expovariate(1 / mean_interval)
            while due < end and not stop.is_set():
                delay = due - time.perf_counter()
                if delay > 0 and stop.wait(delay):
                    return
                timed(client, page, recorder, due=due, zero=zero)
                due += client.rng.expovariate(1 / mean_interval)

        return loop

    failed = run_threads([body(c) for c in clients], deadline=end + 60, stop=stop)
    return recorder, failed


def closed_loop(
    clients: list[Client],
    page: Callable[[Any], Any],
    *,
    zero: float,
    duration: float,
    stop: threading.Event,
) -> tuple[Recorder, int]:
    recorder = Recorder()
    end = zero + duration

    def body(client: Client) -> Callable[[], None]:
        def loop() -> None:
            delay = zero - time.perf_counter()
            if delay > 0 and stop.wait(delay):
                return
            while not stop.is_set():
                now = time.perf_counter()
                if now >= end:
                    return
                timed(client, page, recorder, due=now, zero=zero)

        return loop

    failed = run_threads([body(c) for c in clients], deadline=end + 60, stop=stop)
    return recorder, failed


def make_clients(url: str, ids: list[int], seeded: int, config_dir: str, seed: int) -> list[Client]:
    from todo_cli.config import load_settings

    env = {"TODO_CONFIG_DIR": config_dir}  # nothing of the caller's config leaks in
    return [
        Client(
            load_settings(user=f"user{i}", database_url=url, env=env),
            list(range(1, seeded + 1)),
            random.Random(seed * 100_003 + i),
        )
        for i in ids
    ]


def emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def orphan_watch(stop: threading.Event) -> None:
    """If the parent dies (the bench was interrupted), stop at once."""
    parent_pid = os.getppid()

    def watch() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def wait_for_go() -> dict[str, Any]:
    line = sys.stdin.readline()
    if not line:  # the parent went away
        raise SystemExit(1)
    return dict(json.loads(line))


def perf_at(epoch: float) -> float:
    """The perf_counter() reading at wall-clock time `epoch` (shared by the workers)."""
    return time.perf_counter() + (epoch - time.time())


def worker(args: argparse.Namespace) -> int:
    """Run this worker's share of each phase's clients as the parent says go
    (a JSON line on stdin: the phase and its start time); report each phase as
    a JSON line on stdout."""
    index, count = (int(x) for x in args.worker.split("/"))
    stop = threading.Event()
    orphan_watch(stop)
    threading.stack_size(STACK_SIZE)
    page = page_function(LIST_LIMIT)
    with tempfile.TemporaryDirectory(prefix="todo-loadgen-") as config_dir:
        # Warm up: the PostgreSQL dialect and the statement cache load on first use.
        (first,) = make_clients(args.url, [index + 1], args.seeded, config_dir, args.seed)
        for _ in range(3):
            first.operate("list", page, Recorder())
        emit({"ready": True})
        phase = 0
        while True:
            go = wait_for_go()
            if go.get("done"):
                return 0
            phase += 1
            ids = [i for i in range(1, go["clients"] + 1) if i % count == index]
            clients = make_clients(args.url, ids, args.seeded, config_dir, args.seed + phase)
            cpu = cpu_seconds()
            if go["kind"] == "open":
                recorder, failed = open_loop(
                    clients,
                    page,
                    zero=perf_at(go["start"]),
                    mean_interval=go["mean_interval"],
                    duration=go["duration"],
                    stop=stop,
                )
            else:
                recorder, failed = closed_loop(
                    clients, page, zero=perf_at(go["start"]), duration=go["duration"], stop=stop
                )
            cpu = cpu_seconds() - cpu
            emit({**_raw(recorder, cpu), "threads": len(clients) - failed})


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _raw(recorder: Recorder, cpu: float) -> dict[str, Any]:
    return {
        "cpu_s": cpu,
        "ops": recorder.ops,
        "error_samples": recorder.error_samples,
        "retries": recorder.retries,
    }


# --- the parent: start the workers, say go, merge --------------------------------


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


def read_line(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    line = _readline_with_timeout(proc, timeout)
    if not line:
        raise RuntimeError(f"loadgen worker {proc.pid} exited ({proc.poll()}) without a report")
    return dict(json.loads(line))


def _readline_with_timeout(proc: subprocess.Popen[str], timeout: float) -> str:
    result: list[str] = []
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        raise RuntimeError(f"loadgen worker {proc.pid} did not report within {timeout:.0f} s")
    return result[0]


def say(proc: subprocess.Popen[str], obj: Any) -> None:
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(obj) + "\n")
    proc.stdin.flush()


def phases(args: argparse.Namespace) -> list[dict[str, Any]]:
    """light (a tenth of the clients: the latency without queueing), open, closed."""
    out: list[dict[str, Any]] = []
    light = max(1, args.clients // 10)
    if args.light_duration > 0:
        out.append(
            {"name": "light", "kind": "open", "clients": light, "duration": args.light_duration,
             "mean_interval": args.mean_interval}
        )  # fmt: skip
    out.append(
        {"name": "open", "kind": "open", "clients": args.clients, "duration": args.duration,
         "mean_interval": args.mean_interval}
    )  # fmt: skip
    if args.closed_clients > 0 and args.closed_duration > 0:
        out.append(
            {"name": "closed", "kind": "closed", "clients": args.closed_clients,
             "duration": args.closed_duration}
        )  # fmt: skip
    return out


def describe(phase: dict[str, Any], processes: int) -> str:
    if phase["kind"] == "open":
        return (
            f"loadgen: {phase['name']}: open loop, {phase['clients']} clients in {processes} "
            f"processes, one op every {phase['mean_interval']:g} s each on average, "
            f"{phase['duration']:g} s"
        )
    return (
        f"loadgen: {phase['name']}: closed loop, {phase['clients']} clients back to back, "
        f"{phase['duration']:g} s"
    )


def parent(args: argparse.Namespace) -> int:
    count = max(1, min(args.processes, args.clients))
    database = urlsplit(args.url).path.lstrip("/")
    base = [
        sys.executable, __file__, args.url, "--seeded", str(args.seeded), "--seed", str(args.seed),
    ]  # fmt: skip
    procs: list[subprocess.Popen[str]] = []
    result: dict[str, Any] = {"processes": count}
    try:
        for i in range(count):
            procs.append(
                subprocess.Popen(
                    [*base, "--worker", f"{i}/{count}"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        for proc in procs:
            read_line(proc, 120)  # ready
        for phase in phases(args):
            print(describe(phase, count), file=sys.stderr, flush=True)
            start = time.time() + START_DELAY
            for proc in procs:
                say(proc, {**phase, "start": start})
            cpu = cpu_snapshot(database, args.pooler_match)
            parts = [read_line(proc, phase["duration"] + 180) for proc in procs]
            stats = summary(parts, phase["duration"])
            stats["clients"] = phase["clients"]
            stats["cpu"] = cpu_split(
                cpu, cpu_snapshot(database, args.pooler_match), stats["loadgen_cpu_s"]
            )
            if phase["kind"] == "open":
                stats["offered_ops_per_s"] = phase["clients"] / phase["mean_interval"]
            result[phase["name"]] = stats
        for proc in procs:
            say(proc, {"done": True})
        for proc in procs:
            proc.wait(60)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    emit(result)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL (the pooler's)")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--mean-interval", type=float, default=5.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--closed-clients", type=int, default=50)
    parser.add_argument("--closed-duration", type=float, default=15.0)
    parser.add_argument(
        "--light-duration",
        type=float,
        default=10.0,
        help="first, an open loop with a tenth of the clients for this long (0: skip)",
    )
    parser.add_argument("--seeded", type=int, default=20, help="open todos per user at the start")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=4, help="worker processes")
    parser.add_argument(
        "--pooler-match",
        help="count the CPU of pgbouncer processes whose command line contains this "
        "(default: every pgbouncer)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # I/N: run as worker I of N
    args = parser.parse_args()
    if args.worker:
        try:
            return worker(args)
        except BrokenPipeError:
            return 1
        except BaseException:
            traceback.print_exc()
            raise
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
