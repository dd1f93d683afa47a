"""Scale: a user's list and done stay flat as the data grows. PostgreSQL:
10,000 users and 1,000,000 todos (one user with 100,000 open) next to a
nearly empty database; SQLite: 100,000 open todos next to 10."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import (
    Bench,
    BenchError,
    Check,
    Cmd,
    Table,
    fmt_int,
    how_timed,
    ms,
    result,
    time_varying,
    times,
)
from bench.pg import pg_run, scratch_database, upgraded, user_todos
from bench.plans import (
    OPEN_INDEX,
    ORDER_INDEX,
    SCREENFUL,
    capture_page,
    explain,
    heap_fetches,
    index_comparison,
    plan_nodes,
    plan_summary,
)
from bench.seed import HEAVY_OPEN, LIGHT_TODOS, seed_light, seed_scale, seed_sqlite, sqlite_file

NAME = "scale"
# What the timed commands print (the harness checks before timing).
LISTED = r"(\d+\topen\t.*\n)+"
DONE = r"Completed \d+: .*\n"
ORDER = 50
RATIO_BUDGET = 1.1  # heavy / light
RSS_BUDGET_MB = 150
SQLITE_HEAVY = 100_000
SQLITE_LIGHT = 10


def run(b: Bench) -> list[Table]:
    return [*_postgres(b), _sqlite(b)]


def peak_rss(b: Bench, cmd: Cmd, out: Path) -> tuple[int, float]:
    """(peak RSS in bytes, wall seconds) of one run of cmd, its stdout to `out`:
    ru_maxrss of the only child of a fresh interpreter."""
    code = (
        "import resource, subprocess, sys, time\n"
        "with open(sys.argv[1], 'wb') as out:\n"
        "    t = time.perf_counter()\n"
        "    p = subprocess.run(sys.argv[2:], stdout=out, stdin=subprocess.DEVNULL)\n"
        "    t = time.perf_counter() - t\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode, t)\n"
    )
    wrapper = Cmd(cmd.label, [b.python, "-c", code, str(out), *cmd.argv], cmd.env)
    kib, status, wall = b.run(wrapper, capture=True).stdout.split()
    if status != "0":
        raise BenchError(f"{cmd.label}: exit {status}")
    return int(kib) * 1024, float(wall)


def _postgres(b: Bench) -> list[Table]:
    started = time.perf_counter()
    with scratch_database(b.admin_url) as big, scratch_database(b.admin_url) as small:
        upgraded(b, big, "scale")
        upgraded(b, small, "scale-small")
        print("   seeding 1,000,000 todos", file=sys.stderr, flush=True)
        seeding = seed_scale(big)
        seed_light(small)
        n_users, n_todos = pg_run(
            big, "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM todos)"
        )[0]
        heavy_env = b.env("scale", DATABASE_URL=big, TODO_USER="heavy")
        light_env = b.env("scale-small", DATABASE_URL=small, TODO_USER="light")
        # What the default list prints for heavy: a screenful and a footer.
        shown = b.run(Cmd("heavy list", [b.todo, "list"], heavy_env), capture=True)
        shown_lines = shown.stdout.splitlines()
        footer = shown.stderr.strip().splitlines()[-1] if shown.stderr.strip() else "(none)"

        heavy_next = iter(range(int(seeding["heavy_done"]) + HEAVY_OPEN // 2, 10**9))
        light_next = iter(range(1, LIGHT_TODOS + 1))
        factories: dict[str, Callable[[], Cmd]] = {
            "light: todo list": lambda: Cmd(
                "light list", [b.todo, "list"], light_env, expect=LISTED
            ),
            "heavy: todo list": lambda: Cmd(
                "heavy list", [b.todo, "list"], heavy_env, expect=LISTED
            ),
            "light: todo done N": lambda: Cmd(
                "light done", [b.todo, "done", str(next(light_next))], light_env, expect=DONE
            ),
            "heavy: todo done N": lambda: Cmd(
                "heavy done", [b.todo, "done", str(next(heavy_next))], heavy_env, expect=DONE
            ),
        }
        # Each factory makes runs + warmup + 1 commands: the first is checked.
        runs = min(b.runs, LIGHT_TODOS - b.warmup - 1)
        t = time_varying(factories, runs=runs, warmup=b.warmup, cwd=b.cwd)

        heavy_total = user_todos(big, "heavy")
        json_out = b.work / "heavy.json"
        all_json = Cmd("heavy list --all --json", [b.todo, "list", "--all", "--json"], heavy_env)
        rss, json_wall = peak_rss(b, all_json, json_out)
        items = json.loads(json_out.read_text(encoding="utf-8"))
        json_out.unlink()
        one = Cmd("heavy --limit 1", [b.todo, "list", "--json", "--limit", "1"], heavy_env)
        base_rss, _ = peak_rss(b, one, json_out)
        ten = Cmd("heavy --limit 10", [b.todo, "list", "--json", "--limit", "10"], heavy_env)
        n_limited = len(json.loads(b.run(ten, capture=True).stdout))

        config = b.work / "capture-config"
        page = capture_page(big, "heavy", config)
        b.facts["index"] = index_comparison(big, page, (ORDER_INDEX,))
        by_number = capture_page(big, "heavy", config, sort="number")
        b.facts["index_by_number"] = index_comparison(big, by_number, (ORDER_INDEX, OPEN_INDEX))
        plan = plan_summary(b.facts["index"]["with"]["plan"])
        vacuumed = _after_vacuum(b, big, small, page, factories, runs)
    elapsed = time.perf_counter() - started

    seed = Table(
        "Scale: the seeded PostgreSQL database",
        ["what", "measured"],
        rows=[
            ["users", fmt_int(n_users)],
            ["todos", fmt_int(n_todos)],
            ["`heavy`", f"{fmt_int(HEAVY_OPEN)} open, {fmt_int(seeding['heavy_done'])} done"],
            ["everyone else", f"{fmt_int(seeding['per_user'])} todos each, a third done"],
            ["seeding: INSERT ... generate_series, one transaction", f"{seeding['insert']:.1f} s"],
            ["VACUUM / ANALYZE after seeding", "none (autovacuum is off: no statistics)"],
            ["whole PostgreSQL part (both databases, every command below)", f"{elapsed:.0f} s"],
        ],
        notes=[
            "Seeded with SQL straight into the schema `todo db upgrade` created (all indexes "
            "in place), `users.last_number` set to each user's highest number, and neither "
            "vacuumed nor analysed: the planner has no statistics, as for a user's first "
            "thousands of todos. The nearly empty database holds `light` with "
            f"{LIGHT_TODOS} open todos and 10 users with 10 each. In both, every 7th todo has "
            "a priority and every 5th a due date (a tenth of those overdue), so the default "
            "order sorts on all its keys."
        ],
    )
    table = Table(
        "Scale, PostgreSQL: `heavy` (100,000 open todos in 1,000,000) next to a nearly "
        "empty database",
        ["what", "median ms", "runs", "ratio heavy / light", "budget", "result"],
    )
    for verb in ("todo list", "todo done N"):
        light = t[f"light: {verb}"].median
        heavy = t[f"heavy: {verb}"].median
        ok = table.budget(
            f"scale: heavy / light `{verb}` (PostgreSQL)", heavy / light, RATIO_BUDGET
        )
        table.rows.append([f"light: `{verb}`", ms(light), str(runs), "reference", "", ""])
        table.rows.append(
            [
                f"heavy: `{verb}`",
                ms(heavy),
                str(runs),
                times(heavy / light, RATIO_BUDGET),
                f"<= {RATIO_BUDGET}x",
                result(ok),
            ]
        )
    bounded = len(shown_lines) <= SCREENFUL and "more" in footer
    complete = len(items) == heavy_total and len(items) >= HEAVY_OPEN
    rss_ok = rss <= RSS_BUDGET_MB * 1_000_000
    table.rows += [
        [
            "heavy: what `todo list` printed in a pipe",
            f"{len(shown_lines)} lines; stderr: {footer}",
            "1",
            "",
            f"<= {SCREENFUL} lines and a footer",
            result(bounded),
        ],
        [
            "heavy: `todo list --all --json` (items / peak RSS)",
            f"{ms(json_wall)} ms; {fmt_int(len(items))} items of {fmt_int(heavy_total)}; "
            f"peak RSS {rss / 1e6:.1f} MB",
            "1",
            "",
            f"all items; RSS <= {RSS_BUDGET_MB} MB",
            result(complete and rss_ok),
        ],
        [
            "heavy: `todo list --json --limit 1` (peak RSS, for scale)",
            f"peak RSS {base_rss / 1e6:.1f} MB",
            "1",
            "",
            "",
            "",
        ],
        [
            "heavy: `todo list --json --limit 10`",
            f"{n_limited} items",
            "1",
            "",
            "10",
            result(n_limited == 10),
        ],
        [
            "for the record, after a plain `VACUUM todos` (no ANALYZE): heavy / light `todo list`",
            f"{vacuumed['ratio']:.2f}x ({ms(vacuumed['heavy'])} / {ms(vacuumed['light'])} ms); "
            f"heap fetches of the list's statement {fmt_int(vacuumed['fetches_before'])} -> "
            f"{fmt_int(vacuumed['fetches_after'])}; same scans: {vacuumed['same_scans']}",
            str(runs),
            "",
            "no budget",
            "",
        ],
    ]
    table.checks += [
        Check(
            "scale: default `todo list` bounded, with a footer",
            f"{len(shown_lines)} lines",
            f"<= {SCREENFUL} + footer",
            bounded,
        ),
        Check(
            "scale: `todo list --all --json` is complete",
            f"{fmt_int(len(items))} items",
            f"= {fmt_int(heavy_total)}",
            complete,
        ),
        Check(
            "scale: peak RSS of `todo list --all --json` (heavy)",
            f"{rss / 1e6:.1f} MB",
            f"<= {RSS_BUDGET_MB} MB",
            rss_ok,
        ),
    ]
    b.facts["rss"] = (rss, base_rss, len(items))
    table.notes += [
        how_timed(t, b.warmup) + " The four commands interleaved. `todo list` is the default "
        f"list with stdout a pipe (plain lines, no `$LINES`: a screenful is {SCREENFUL} todos). "
        "Each `todo done N` completes a different open todo (heavy: from the middle of its "
        "list; light: 1, 2, 3, ...). Peak RSS is `ru_maxrss` of the `todo` process, the only "
        "child of a fresh interpreter; MB = 10^6 bytes. The budget rows are the unvacuumed "
        "database's. The last row is for the record: after everything above, a plain "
        "`VACUUM todos` in both databases (it sets the visibility map, and pg_class's row "
        "counts; no column statistics), then the two lists timed again the same way. The "
        "difference between the two ratios is heavy's count of 100,000 open todos visiting "
        "the heap while the visibility map is unset.",
        "The default list's statement for heavy (captured from this tree's data layer, its "
        "transaction-local settings applied), `EXPLAIN (ANALYZE, TIMING OFF)` on the "
        "unanalysed database, scan lines:\n\n```\n" + "\n".join(plan) + "\n```",
    ]
    return [seed, table]


def _after_vacuum(
    b: Bench,
    big: str,
    small: str,
    page: tuple[str, str],
    factories: dict[str, Callable[[], Cmd]],
    runs: int,
) -> dict[str, Any]:
    """The list pair again once VACUUM has set the visibility map (and pg_class's
    row counts; no column statistics): what of heavy's cost is its count
    visiting the heap. For the record only: the budget rows above are the
    unvacuumed database's."""
    before = explain(big, page)
    for url in (big, small):
        pg_run(url, "VACUUM todos", autocommit=True)
    after = explain(big, page)
    lists = {k: f for k, f in factories.items() if k.endswith("todo list")}
    t = time_varying(lists, runs=runs, warmup=b.warmup, cwd=b.cwd)
    heavy, light = t["heavy: todo list"].median, t["light: todo list"].median
    return {
        "heavy": heavy,
        "light": light,
        "ratio": heavy / light,
        "fetches_before": heap_fetches(before),
        "fetches_after": heap_fetches(after),
        "same_scans": "yes" if plan_nodes(before) == plan_nodes(after) else "no",
    }


def _sqlite(b: Bench) -> Table:
    """`todo list` of a user with 100,000 open todos next to one with 10, each in
    a SQLite file of its own (the embedded default under a private HOME)."""
    cmds = []
    for label, count in (("10 open", SQLITE_LIGHT), ("100,000 open", SQLITE_HEAVY)):
        env = b.env(f"sqlite-scale-{count}", TODO_USER="bench")
        b.run(Cmd("todo list (creates the file)", [b.todo, "list"], env))
        seed_sqlite(sqlite_file(Path(env["HOME"])), "bench", count)
        cmds.append(Cmd(f"todo list, {label}", [b.todo, "list"], env, expect=LISTED))
    t = b.time(cmds)
    light, heavy = (t[c.label].median for c in cmds)
    table = Table(
        "Scale, SQLite: `todo list` with 100,000 open todos next to 10",
        ["what", "median ms", "runs", "ratio vs 10 open", "budget", "result"],
    )
    ok = table.budget(
        "scale: SQLite `todo list`, 100,000 open / 10 open", heavy / light, RATIO_BUDGET
    )
    table.rows += [
        ["`todo list`, 10 open todos", ms(light), str(t[cmds[0].label].runs), "reference", "", ""],
        [
            f"`todo list`, {fmt_int(SQLITE_HEAVY)} open todos",
            ms(heavy),
            str(t[cmds[1].label].runs),
            times(heavy / light, RATIO_BUDGET),
            f"<= {RATIO_BUDGET}x",
            result(ok),
        ],
    ]
    table.notes.append(
        how_timed(t, b.warmup) + " Each user in the embedded default file under a private HOME "
        "(created by an untimed `todo list`), then seeded with SQL: the priority and due mix "
        "of the PostgreSQL tables, tags on every 4th and 6th todo, a note on every 10th; no "
        "ANALYZE. The two commands differ in their environment (HOME), so each runs under "
        "`env -i` with its own."
    )
    return table
