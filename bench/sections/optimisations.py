"""What each optimisation bought, measured in this run where it can be: one
message per transaction, the DB-API drivers instead of SQLAlchemy, the
indexes on open todos, batching, streaming."""

from __future__ import annotations

from bench.harness import (
    PROXY_DELAY_S,
    Bench,
    BenchError,
    Cmd,
    Table,
    fmt_int,
    how_timed,
    ms,
)
from bench.plans import OPEN_INDEX, ORDER_INDEX, SCREENFUL, plan_nodes
from tests.support.tcp_proxy import TCPProxy, proxied_url

NAME = "optimisations"
ORDER = 80


def run(b: Bench) -> list[Table]:
    host, port = b.pg_target()
    rtt_ms = round(PROXY_DELAY_S * 1000)
    probe = "batching_probe.py"
    with TCPProxy(host, port) as proxy:
        url = proxied_url(b.pg_url, proxy.port)
        env = b.env("optimisations", TODO_USER="opt")

        def rts(label: str, *args: str) -> tuple[int, list[str]]:
            proxy.reset()
            out = b.run(Cmd(label, b.ref(probe, url, "opt", *args), env), capture=True).stdout
            proxy.wait_idle()
            return proxy.round_trips, out.split()

        add_one, (number, add_statements) = rts("add, one message", "add", "one-message")
        add_many, _ = rts("add, psycopg2's default", "add", "default")
        done_one, (_, done_statements) = rts("done, one message", "done", "one-message", number)
        later = str(int(number) + 1)
        done_many, _ = rts("done, psycopg2's default", "done", "default", later)
    if add_one != 3 or done_one != 3:
        raise BenchError(f"{probe}: one message took {add_one} / {done_one} round trips, not 3")

    imports = [
        # An import prints nothing: expect="" (the harness checks it exits 0).
        Cmd("python -c pass", [b.python, "-c", "pass"], env, expect=""),
        Cmd("import psycopg2", [b.python, "-c", "import psycopg2"], env, expect=""),
        Cmd(
            "import sqlalchemy, psycopg2",
            [b.python, "-c", "import sqlalchemy, psycopg2"],
            env,
            expect="",
        ),
        Cmd(
            "import sqlmodel, psycopg2",
            [b.python, "-c", "import sqlmodel, psycopg2"],
            env,
            expect="",
        ),
        Cmd("import pydantic", [b.python, "-c", "import pydantic"], env, expect=""),
    ]
    t = b.time(imports)
    base = t["python -c pass"].median

    def cost(label: str) -> float:
        return t[label].median - base

    def at_rtt(n: int) -> str:
        return f"{n} x {rtt_ms} ms = {n * rtt_ms} ms per command at a {rtt_ms} ms round trip"

    table = Table(
        "Optimisations: what each one bought",
        ["optimisation", "without", "with", "bought", "source"],
    )
    table.rows += [
        [
            "one message per transaction: the transaction's settings and statements sent "
            "together, run by the server as one implicit transaction",
            f"add: {add_many} round trips; done: {done_many} (psycopg2's default: BEGIN, "
            "each statement alone, COMMIT)",
            f"add: {add_one}; done: {done_one}",
            f"add: {add_many - add_one} round trips ({add_statements} statements); done: "
            f"{done_many - done_one} ({done_statements} statements); for add, "
            f"{at_rtt(add_many - add_one)}",
            "this run: the data layer's add and complete, run as `todo` runs them, with the "
            "product's autocommit connection vs one that sends each statement alone inside "
            "BEGIN/COMMIT (`bench/refs/batching_probe.py`), whole process through the "
            "counting proxy",
        ],
        [
            "everyday commands on the DB-API drivers (sqlite3, psycopg2), SQLAlchemy "
            "imported only where the schema changes",
            f"{ms(cost('import sqlalchemy, psycopg2'))} ms (`import sqlalchemy, psycopg2`); "
            f"{ms(cost('import sqlmodel, psycopg2'))} ms with SQLModel",
            f"{ms(cost('import psycopg2'))} ms (`import psycopg2`)",
            f"{ms(cost('import sqlalchemy, psycopg2') - cost('import psycopg2'))} ms on every "
            "PostgreSQL command (SQLAlchemy Core alone)",
            f"this run: median wall time of `python -c ...` less `python -c pass` "
            f"({ms(base)} ms); " + _lower(how_timed(t, b.warmup)),
        ],
        [
            "Typer pinned below 0.29 (0.29 imports pydantic for every option)",
            "`todo list` 0.85 s with Typer 0.29",
            "0.46 s with Typer 0.28",
            f"about 0.4 s per command then; `import pydantic` alone costs "
            f"{ms(cost('import pydantic'))} ms here",
            "whole-command figures quoted from an earlier release (not re-run: it needs "
            "another Typer); the pydantic import is this run",
        ],
    ]
    table.rows += _index_rows(b) + _scale_rows(b)
    table.notes.append(
        "Round trips are counted by `tests/support/tcp_proxy.py` as in the round-trip table; "
        f"the milliseconds they are worth assume the latency table's {rtt_ms} ms per round "
        "trip (a client far from its Neon endpoint). Import costs are the wall time of a "
        "fresh interpreter importing the packages, less an empty interpreter's. Rows from "
        "the batch and scale sections appear when those sections ran in the same run."
    )
    return [table]


def _index_rows(b: Bench) -> list[list[str]]:
    if "index" not in b.facts:
        return [["partial indexes on open todos", "", "", "not measured", "run the scale section"]]
    rows = []
    for key, which, what in (
        (
            "index",
            "default `todo list`",
            f"index `{ORDER_INDEX}` in the default order (after overdue) WHERE done = false, "
            "read by LIMITed walks (the overdue of each priority, all)",
        ),
        (
            "index_by_number",
            "`--sort number`",
            f"partial indexes `{OPEN_INDEX}` (user_id, number) and `{ORDER_INDEX}` "
            "WHERE done = false",
        ),
    ):
        w, wo = b.facts[key]["with"], b.facts[key]["without"]
        gain = wo["median"] / w["median"]
        rows.append(
            [
                f"{what}: {which}",
                f"{ms(wo['median'])} ms: {plan_nodes(wo['plan'])}",
                f"{ms(w['median'])} ms: {plan_nodes(w['plan'])}",
                f"{ms(wo['median'] - w['median'])} ms per {which} of heavy's {SCREENFUL} first "
                f"todos and the count ({gain:.1f}x)"
                + (": nothing measurable for this statement" if abs(gain - 1) < 0.1 else ""),
                "this run, scale section: the statement the data layer sends for heavy "
                "(100,000 open todos; database neither vacuumed nor analysed), its "
                "transaction's settings applied, median of 7 runs each on a local connection, "
                "with and without alternating; without = the indexes dropped inside a "
                "savepoint that was rolled back",
            ]
        )
    return rows


def _scale_rows(b: Bench) -> list[list[str]]:
    rows = []
    if "batch_round_trips" in b.facts:
        one = b.facts["batch_one_wall"]
        rows.append(
            [
                "`todo add -`: a batch in one statement (10,000 titles as one JSON parameter)",
                f"10,000 x `todo add`: {fmt_int(10_000 * 3)} round trips, about "
                f"{10_000 * one / 60:.0f} min",
                f"{b.facts['batch_round_trips']} round trips, {b.facts['batch_wall']:.2f} s",
                "one process and one transaction instead of 10,000",
                "this run, batch section; the without column is computed (10,000 x one "
                f"`todo add`: 3 round trips, {ms(one)} ms on local PostgreSQL)",
            ]
        )
    if "rss" in b.facts:
        rss, base_rss, n = b.facts["rss"]
        rows.append(
            [
                "`list --json` streams (rows become JSON one at a time)",
                "",
                f"peak RSS {rss / 1e6:.1f} MB for {fmt_int(n)} todos; "
                f"{base_rss / 1e6:.1f} MB for 1",
                f"{(rss - base_rss) / 1e6:.1f} MB for {fmt_int(n)} todos",
                "this run, scale section",
            ]
        )
    return rows


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]
