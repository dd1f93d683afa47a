"""The bench's sections, one module each, found here by discovery.

A section module defines:

    NAME = "scale"          # what --only takes, and the order of the tables...
    ORDER = 50              # ...which runs and prints by ORDER
    def run(b: Bench) -> list[Table]: ...
    def skip(b: Bench) -> str | None: ...   # optional: why it cannot run now

ADDING A SECTION is a one-file job: write bench/sections/<name>.py with the
three names above. Nothing else changes: it is discovered below, `--only`
accepts its NAME, and its tables and budgets go into RESULTS.md with the rest.
The numbers in use: startup 10, round-trips 20, latency 30, fastpath 33,
completion 35, batch 40, scale 50, load 60, import 70, optimisations 80,
baseline 90.

Every command a section times says what it prints (`Cmd.expect`, a regular
expression its stdout must match in full): the harness runs it once and
checks that before timing it, since an empty answer is quick and proves
nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from bench.harness import Bench, Table


@dataclass(frozen=True)
class Section:
    name: str
    order: int
    run: Callable[[Bench], list[Table]]
    skip: Callable[[Bench], str | None]


def discover() -> dict[str, Section]:
    """Every section module in this package, by ORDER."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(
            Section(
                module.NAME,
                module.ORDER,
                module.run,
                getattr(module, "skip", lambda _b: None),
            )
        )
    names = [s.name for s in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two sections share a NAME: {sorted(names)}")
    return {s.name: s for s in sorted(found, key=lambda s: s.order)}
