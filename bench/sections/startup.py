"""Startup: commands that never connect, next to Python, Typer and a minimal Typer app."""

from __future__ import annotations

from bench.harness import Bench, Cmd, Table, how_timed, ms, ratio, result

NAME = "startup"
ORDER = 10
# todo --help / minimal Typer --help: no slower than before the table built the
# app (0.63x in README's Performance, 2026-11-30; 1.3x was the first budget).
STARTUP_BUDGET = 0.65


def run(b: Bench) -> list[Table]:
    env = b.env("startup")  # no DATABASE_URL: nothing here connects
    cmds = [
        Cmd("python -c pass", [b.python, "-c", "pass"], env, expect=""),
        Cmd('python -c "import typer"', [b.python, "-c", "import typer"], env, expect=""),
        Cmd(
            "minimal Typer app --help",
            b.ref("minimal_typer.py", "--help"),
            env,
            expect=r".*Usage: minimal_typer\.py .*",
        ),
        Cmd(
            "minimal Typer app --help, Rich off",
            b.ref("minimal_typer_plain.py", "--help"),
            env,
            expect=r".*Usage: minimal_typer_plain\.py .*",
        ),
        Cmd("todo --help", [b.todo, "--help"], env, expect=r"Usage: todo .*"),
        Cmd("todo --version", [b.todo, "--version"], env, expect=r"todo \S+\n"),
        Cmd("todo whoami", [b.todo, "whoami"], env, expect=r"user +bench .*"),
    ]
    t = b.time(cmds)
    python = t["python -c pass"].median
    minimal = t["minimal Typer app --help"].median
    plain = t["minimal Typer app --help, Rich off"].median
    table = Table(
        "Startup: commands that never connect",
        [
            "what",
            "median ms",
            "runs",
            "ratio vs python -c pass",
            "ratio vs minimal Typer --help",
            "budget",
            "result",
        ],
    )
    ok = table.budget(
        "startup: `todo --help` / minimal Typer `--help`",
        t["todo --help"].median / minimal,
        STARTUP_BUDGET,
    )
    for cmd in cmds:
        timing = t[cmd.label]
        is_todo = cmd.label.startswith("todo") or cmd.label.endswith("Rich off")
        row = [
            f"`{cmd.label}`",
            ms(timing.median),
            str(timing.runs),
            "reference" if cmd.label == "python -c pass" else ratio(timing.median, python),
            ratio(timing.median, minimal) if is_todo else "",
            "",
            "",
        ]
        if cmd.label == "minimal Typer app --help":
            row[4] = "reference"
        if cmd.label == "todo --help":
            row[5:] = [f"<= {STARTUP_BUDGET}x", result(ok)]
        table.rows.append(row)
    table.notes.append(
        how_timed(t, b.warmup) + " The minimal app is `bench/refs/minimal_typer.py`: two "
        "commands, Typer's defaults (Rich help if Rich is installed, which it is: Typer "
        "depends on it). todo turns Rich help off (`rich_markup_mode=None`); next to "
        "`bench/refs/minimal_typer_plain.py`, the same app with Rich off too, `todo --help` "
        f"is {ratio(t['todo --help'].median, plain)}. `todo --version` is the CLI's own floor "
        "(the interpreter, Typer and todo's app; no config file read, no database): the "
        "latency tables compare the everyday commands with it."
    )
    return [table]
