"""Load generator for the data layer: many clients, each one user, through a pooler.

Open loop: CLIENTS threads, one per user; each sleeps an exponential random
interval (mean MEAN_INTERVAL seconds), then runs one operation the way a
`todo` command does (`todo_cli.store.runner.run`: a new connection, one
transaction, sent as one message), for DURATION seconds. Together they offer CLIENTS /
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

    python -m bench.loadgen URL [--clients 1000] [--mean-interval 5] [--duration 60]
        [--closed-clients 50] [--closed-duration 15] [--light-duration 10] [--seeded 20]
        [--processes 4]

Run from the repository root (the workers start as `python -m bench.loadgen`
too). Prints one JSON object on stdout; progress on stderr. Figures:
bench/loadstats.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from typing import Any
from urllib.parse import urlsplit

from bench.loadclients import (
    LIST_LIMIT,
    Recorder,
    closed_loop,
    make_clients,
    open_loop,
    page_function,
)
from bench.loadstats import cpu_snapshot, cpu_split, summary

STACK_SIZE = 512 * 1024  # 1,000 threads at the default 8 MiB would reserve 8 GiB
START_DELAY = 1.0  # seconds between "go" and the first due operation


# --- one worker process ----------------------------------------------------------


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
        # Warm up: the driver and the data layer's modules load on first use.
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
        sys.executable, "-m", "bench.loadgen", args.url,
        "--seeded", str(args.seeded), "--seed", str(args.seed),
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
