"""Latency of the everyday commands: on SQLite and local PostgreSQL next to
`todo --version` (the CLI's own floor: Typer and the config, no database),
and through a proxy adding 20 ms per round trip next to a naive Typer +
SQLModel CLI and raw psycopg2."""

from __future__ import annotations

from bench.harness import (
    PROXY_DELAY_S,
    TITLE,
    Bench,
    Cmd,
    Table,
    Timing,
    code,
    how_timed,
    ms,
    ratio,
    result,
    times,
)
from bench.pg import as_psycopg2
from tests.support.tcp_proxy import TCPProxy, proxied_url

NAME = "latency"
ORDER = 30
SQLITE_BUDGET = 1.5  # todo add / list / done N over todo --version, embedded SQLite
POSTGRES_BUDGET = 1.7  # the same on local PostgreSQL
PROXY_BUDGET = 0.3  # todo add / naive add, through +20 ms per round trip
EVERYDAY = ("todo add", "todo list", "todo done N")


def run(b: Bench) -> list[Table]:
    return [_sqlite(b), _postgres(b), _proxied(b)]


def _everyday(b: Bench, env: dict[str, str]) -> list[Cmd]:
    """todo --version and the three everyday commands; done N completes todo 1,
    which `todo reopen 1` (untimed) opens again before each run."""
    b.run(Cmd("todo add (first)", [b.todo, "add", TITLE], env))
    return [
        Cmd("todo --version", [b.todo, "--version"], env, expect=r"todo \S+\n"),
        Cmd("todo add", [b.todo, "add", TITLE], env, expect=r"\d+\n"),
        Cmd("todo list", [b.todo, "list"], env, expect=r"(\d+\topen\t.*\n)+"),
        Cmd(
            "todo done N",
            [b.todo, "done", "1"],
            env,
            prepare=[b.todo, "reopen", "1"],
            expect=r"Completed 1: .*\n",
        ),
    ]


def _floor_table(
    b: Bench, title: str, where: str, t: dict[str, Timing], limit: float, extra: list[str]
) -> Table:
    floor = t["todo --version"].median
    table = Table(
        title, ["what", "median ms", "runs", "ratio vs `todo --version`", "budget", "result"]
    )
    for label, timing in t.items():
        row = [
            code(label),
            ms(timing.median),
            str(timing.runs),
            ratio(timing.median, floor),
            "",
            "",
        ]
        if label == "todo --version":
            row[3] = "reference"
        if label in EVERYDAY:
            ok = table.budget(
                f"{where}: `{label}` / `todo --version`", timing.median / floor, limit
            )
            row[3] = times(timing.median / floor, limit)
            row[4:] = [f"<= {limit}x", result(ok)]
        table.rows.append(row)
    table.notes.append(how_timed(t, b.warmup) + " " + " ".join(extra))
    return table


def _sqlite(b: Bench) -> Table:
    data = b.work / "taskdata"
    data.mkdir(exist_ok=True)
    taskrc = b.work / "taskrc"
    taskrc.write_text(
        f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\n", encoding="utf-8"
    )
    # No DATABASE_URL: the embedded SQLite default under the private HOME. The
    # taskwarrior variables are there for every command, so all share one environment.
    env = b.env("sqlite", TODO_USER="bench", TASKRC=str(taskrc), TASKDATA=str(data))
    cmds = _everyday(b, env)
    cmds.append(Cmd("python -c pass", [b.python, "-c", "pass"], env, expect=""))
    if b.task:
        cmds.append(
            Cmd(
                "task add",
                [b.task, "rc.confirmation=off", "rc.verbose=nothing", "add", TITLE],
                env,
                expect=r"(Created task \d+\.\n)?",  # verbose=nothing may say nothing
            )
        )
    t = b.time(cmds)
    notes = [
        "`todo` uses its embedded SQLite default (a file under the private HOME, created "
        "by the first `todo add`, untimed). `todo done N` completes todo 1, reopened by an "
        "untimed `todo reopen 1` before each run. `python -c pass` is the interpreter alone.",
    ]
    if b.task:
        notes.append(
            "`task add` is taskwarrior (a C++ binary, no interpreter), the speed anchor of "
            "the field, no budget: a private TASKDATA and TASKRC with `confirmation=off`, "
            f"`verbose=nothing`; `todo add` takes {ratio(t['todo add'].median, t['task add'].median)} "
            "its time."
        )
    else:
        notes.append(f"**taskwarrior was not measured:** {b.task_note or 'not installed'}.")
    return _floor_table(
        b,
        "Latency, local SQLite: everyday commands next to `todo --version`",
        "SQLite",
        t,
        SQLITE_BUDGET,
        notes,
    )


def _postgres(b: Bench) -> Table:
    env = b.env("postgres-local", DATABASE_URL=b.pg_url, TODO_USER="latency-local")
    t = b.time(_everyday(b, env))
    return _floor_table(
        b,
        "Latency, local PostgreSQL: everyday commands next to `todo --version`",
        "local PostgreSQL",
        t,
        POSTGRES_BUDGET,
        [
            "`DATABASE_URL` names the run's scratch database on the local server "
            "(TCP to 127.0.0.1, no proxy); `todo --version` runs with the same environment "
            "and never connects. `todo done N` as in the SQLite table."
        ],
    )


def _proxied(b: Bench) -> Table:
    host, port = b.pg_target()
    with TCPProxy(host, port, delay_s=PROXY_DELAY_S) as proxy:
        url = proxied_url(b.pg_url, proxy.port)
        env = b.env("latency", DATABASE_URL=url, TODO_USER="latency")
        naive_env = {**env, "DATABASE_URL": as_psycopg2(url)}
        cmds = [
            Cmd(
                "psycopg2 add, default",
                b.ref("psycopg2_add.py", url, TITLE),
                env,
                expect=r"\d+\n",
            ),
            Cmd(
                "psycopg2 add, one message",
                b.ref("psycopg2_add.py", url, TITLE, "--one-message"),
                env,
                expect=r"\d+\n",
            ),
            Cmd(
                "naive add",
                b.ref("naive_cli.py", "add", TITLE),
                naive_env,
                expect=r"Added \d+: .*\n",
            ),
            Cmd("todo add", [b.todo, "add", TITLE], env, expect=r"\d+\n"),
            Cmd(
                "naive list",
                b.ref("naive_cli.py", "list"),
                naive_env,
                expect=r"(\d+\t(open|done)\t.*\n)+",
            ),
            Cmd("todo list", [b.todo, "list"], env, expect=r"(\d+\topen\t.*\n)+"),
        ]
        t = b.time(cmds, proxy=proxy)

    delay_ms = round(PROXY_DELAY_S * 1000)
    table = Table(
        f"Latency: PostgreSQL through a proxy adding {delay_ms} ms per round trip",
        ["what", "median ms", "runs", "round trips", "ratio vs reference", "budget", "result"],
    )
    refs = {
        "psycopg2 add, default": "naive add",
        "psycopg2 add, one message": "naive add",
        "todo add": "naive add",
        "todo list": "naive list",
    }
    for cmd in cmds:
        timing = t[cmd.label]
        ref = refs.get(cmd.label)
        row = [
            code(cmd.label),
            ms(timing.median),
            str(timing.runs),
            timing.round_trip_range(),
            f"{ratio(timing.median, t[ref].median)} of {ref}" if ref else "reference",
            "",
            "",
        ]
        if cmd.label == "todo add":
            ok = table.budget(
                f"latency: `todo add` / naive add through +{delay_ms} ms per round trip",
                timing.median / t["naive add"].median,
                PROXY_BUDGET,
            )
            row[5:] = [f"<= {PROXY_BUDGET}x", result(ok)]
        table.rows.append(row)
    psycopg2 = t["psycopg2 add, default"].median
    table.notes.append(
        how_timed(t, b.warmup) + " Through the proxy the runs are timed by the Python loop, "
        "which reads each run's round trips after its connection closed. naive = "
        "`bench/refs/naive_cli.py` (Typer + SQLModel as the tutorials write it: "
        "`create_engine(url)`, `Session`, `add`, `commit`, `refresh`; `select(Todo)` to list); "
        "psycopg2 add = `bench/refs/psycopg2_add.py`, as psycopg2 does it by default (BEGIN, "
        "INSERT, COMMIT) and in one message (autocommit). `todo add` takes "
        f"{ratio(t['todo add'].median, psycopg2)} the raw psycopg2 script's time. The lists "
        "return the rows the adds before them created (tens of rows each)."
    )
    return table
