"""The load generator's clients: one user each, running the operations a
`todo` command runs, in an open or a closed loop, every operation recorded.
Used by the worker processes of bench/loadgen.py."""

from __future__ import annotations

import random
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MIX = (("list", 0.6), ("add", 0.3), ("done", 0.1))
LIST_LIMIT = 50


def page_function(limit: int) -> Callable[[Any], Any]:
    """The default list's query: its first `limit` todos and the total."""
    from todo_cli.store import listing

    return lambda s: listing.page(s, filter=listing.Filter(), limit=limit)


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
        from todo_cli.store import changes, todos
        from todo_cli.store.runner import run

        if kind == "done" and not self.open:
            kind = "add"
        hook = recorder.retried
        # The modes the commands use: list reads, add and done are idempotent.
        if kind == "list":
            run(self.settings, page, mode="read", on_retry=hook)
        elif kind == "add":
            rid = uuid.uuid4().hex
            todo = run(
                self.settings,
                lambda s: todos.add(s, title="Load test todo", request_id=rid),
                mode="idempotent",
                on_retry=hook,
            )
            self.open.append(todo.number)
        else:
            number = self.open.pop(self.rng.randrange(len(self.open)))
            run(
                self.settings,
                lambda s: changes.complete(s, numbers=[number]).todos,
                mode="idempotent",
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
