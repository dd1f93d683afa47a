"""Shell completion: what `<TAB>` costs, as the shell's call to `todo
__complete`, on the embedded SQLite default, on local PostgreSQL, and with a
server that accepts connections and never answers."""

from __future__ import annotations

import socket

from bench.harness import Bench, BenchError, Cmd, Table, code, how_timed, ms, ratio, result

NAME = "completion"
ORDER = 35
LIVE_BUDGET = 1.5  # todo done <TAB> (live numbers) / todo --version, SQLite
HUNG_LIMIT_MS = 1500  # with a server that never answers: the 0.9 s deadline, and startup


def run(b: Bench) -> list[Table]:
    sqlite = b.env("completion-sqlite")
    postgres = b.env("completion-pg", DATABASE_URL=b.pg_url)
    added: dict[str, list[str]] = {}
    for name, env in (("sqlite", sqlite), ("postgres", postgres)):
        added[name] = [
            b.run(
                Cmd("todo add", [b.todo, "add", f"todo {i}", "-t", f"tag{i % 5}"], env),
                capture=True,
            ).stdout.strip()
            for i in range(20)
        ]
    with socket.socket() as hung_server:
        hung_server.bind(("127.0.0.1", 0))
        hung_server.listen(64)
        port = hung_server.getsockname()[1]
        hung = b.env("completion-hung", DATABASE_URL=f"postgresql://bench@127.0.0.1:{port}/x")

        def tab(label: str, env: dict[str, str], *words: str, expect: str) -> Cmd:
            argv = [b.todo, "__complete", "bash", str(len(words)), "todo", *words]
            return Cmd(label, argv, env, expect=expect)

        numbers = r"(\d+\n)+"
        tags = "".join(f"tag{i}\n" for i in range(5))

        # An empty answer is quick too: each live call must offer what it
        # should before it is timed.
        _answers(b, tab("SQLite", sqlite, "done", "", expect=numbers), added["sqlite"], exact=True)
        _answers(
            b,
            tab("SQLite", sqlite, "list", "--tag", "", expect=tags),
            [f"tag{i}" for i in range(5)],
        )
        # Other sections' todos may share this user on PostgreSQL.
        _answers(
            b,
            tab("PostgreSQL", postgres, "done", "", expect=numbers),
            added["postgres"],
            exact=False,
        )
        # The harness checks each command's output (expect) before timing it.
        cmds = [
            Cmd("todo --version", [b.todo, "--version"], sqlite, expect=r"todo \S+\n"),
            tab("todo <TAB> (commands, no database)", sqlite, "", expect=r"(?m).*^add$.*^done$.*"),
            tab("todo done <TAB>, SQLite", sqlite, "done", "", expect=numbers),
            tab("todo list --tag <TAB>, SQLite", sqlite, "list", "--tag", "", expect=tags),
            tab("todo done <TAB>, PostgreSQL", postgres, "done", "", expect=numbers),
            # Nothing, by design: what is timed is how soon it gives up.
            tab("todo done <TAB>, server never answers", hung, "done", "", expect=""),
        ]
        t = b.time(cmds, runs=min(b.runs, 10), warmup=1)
    floor = t["todo --version"].median
    table = Table(
        "Completion: one <TAB>",
        ["what", "median ms", "runs", "ratio vs `todo --version`", "budget", "result"],
    )
    live = t["todo done <TAB>, SQLite"].median
    ok_live = table.budget("completion: `todo done <TAB>` / `todo --version`, SQLite",
                           live / floor, LIVE_BUDGET)  # fmt: skip
    hung_ms = t["todo done <TAB>, server never answers"].median * 1000
    ok_hung = table.budget(
        "completion: `<TAB>` with a server that never answers", hung_ms, HUNG_LIMIT_MS, unit=" ms"
    )
    for label, timing in t.items():
        row = [code(label), ms(timing.median), str(timing.runs),
               "reference" if label == "todo --version" else ratio(timing.median, floor), "", ""]  # fmt: skip
        if label == "todo done <TAB>, SQLite":
            row[4:] = [f"<= {LIVE_BUDGET}x", result(ok_live)]
        if label == "todo done <TAB>, server never answers":
            row[4:] = [f"<= {HUNG_LIMIT_MS} ms", result(ok_hung)]
        table.rows.append(row)
    table.notes.append(
        how_timed(t, 1) + " Each command is the call a completion script makes "
        "(`todo __complete bash CWORD WORDS...`). Completing commands and options imports "
        "neither Typer nor a driver; numbers and tags are read with a one-second connect "
        "timeout, no retries and a 0.9 s deadline. The server that never answers is a "
        "socket that accepts and stays silent (libpq alone would wait its 2 s minimum)."
    )
    return [table]


def _answers(b: Bench, cmd: Cmd, expected: list[str], *, exact: bool = True) -> None:
    """Raise unless the completion offers every one of `expected` (and,
    exact, nothing else)."""
    offered = b.run(cmd, capture=True).stdout.split()
    missing = [e for e in expected if e not in offered]
    if not offered or missing or (exact and sorted(offered) != sorted(expected)):
        raise BenchError(
            f"completion {' '.join(cmd.argv[2:])} ({cmd.label}) offered {offered[:30]}; "
            f"expected {expected}"
        )
