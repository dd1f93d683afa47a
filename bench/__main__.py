"""python -m bench [--runs N] [--warmup N] [--only SECTION ...] [--baseline REV]
[--no-hyperfine] [--output FILE]

Run from the repository root with the bench venv's Python (bench/run does
both): prints one table per section and writes them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import report
from bench.harness import BENCH, HYPERFINE_ROUNDS, ROOT, Bench, BenchError, Cmd, Table
from bench.pg import DEFAULT_ADMIN_URL, as_psycopg2, scratch_database, server_version, setting
from bench.sections import discover


def find_pgbouncer() -> str | None:
    found = shutil.which("pgbouncer")
    if found:
        return found
    return "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None


def this_commit() -> str:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain") else "")


def main() -> int:
    sections = discover()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command")
    parser.add_argument("--warmup", type=int, default=2, help="warmup runs per command")
    parser.add_argument("--only", action="append", choices=list(sections), help="these sections")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time this git revision's todo (a venv of its own in bench/.work) on "
        "the same 100,000 todos: the baseline section",
    )
    parser.add_argument("--no-hyperfine", action="store_true", help="time with a Python loop")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()

    todo = Path(sys.executable).parent / "todo"
    if not todo.exists():
        print(f"bench: no todo next to {sys.executable}; run bench/run", file=sys.stderr)
        return 2
    admin_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_ADMIN_URL
    started = datetime.now().astimezone()
    commit = this_commit()  # now, when bench/run has just installed the tree into the venv
    t0 = time.monotonic()
    tables: list[Table] = []
    with (
        tempfile.TemporaryDirectory(prefix="todo-bench-") as tmp,
        scratch_database(admin_url) as pg_url,
    ):
        b = Bench(
            python=sys.executable,
            todo=str(todo),
            pg_url=pg_url,
            admin_url=admin_url,
            runs=args.runs,
            warmup=args.warmup,
            work=Path(tmp),
            hyperfine=None if args.no_hyperfine else shutil.which("hyperfine"),
            task=shutil.which("task"),
            task_note=os.environ.get("BENCH_TASK_NOTE", ""),
            pgbouncer=find_pgbouncer(),
            pgbouncer_note=os.environ.get("BENCH_PGBOUNCER_NOTE", ""),
            baseline=args.baseline,
        )
        b.facts["loadavg"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        b.facts["autovacuum"] = setting(pg_url, "autovacuum")
        chosen = [s for s in sections.values() if not args.only or s.name in args.only]
        for s in chosen:
            reason = s.skip(b)
            if reason and args.only:
                raise BenchError(f"section {s.name} cannot run: {reason}")
        print("== setup: todo db upgrade, naive CLI table", file=sys.stderr, flush=True)
        setup_env = b.env("setup", DATABASE_URL=pg_url)
        b.run(Cmd("todo db upgrade", [b.todo, "db", "upgrade"], setup_env))
        naive_env = {**setup_env, "DATABASE_URL": as_psycopg2(pg_url)}
        b.run(Cmd("naive init", b.ref("naive_cli.py", "init"), naive_env))
        pg_version = server_version(pg_url)
        for s in chosen:
            reason = s.skip(b)
            if reason:
                print(f"== {s.name}: skipped ({reason})", file=sys.stderr, flush=True)
                continue
            print(f"== {s.name}", file=sys.stderr, flush=True)
            section_start = time.monotonic()
            for table in s.run(b):
                tables.append(table)
                print("\n" + table.markdown() + "\n", flush=True)
            print(f"   ({time.monotonic() - section_start:.0f} s)", file=sys.stderr, flush=True)
        elapsed = time.monotonic() - t0
        head = report.header(b, pg_version, started, elapsed, commit)

    rounds = HYPERFINE_ROUNDS if b.hyperfine else 1
    text = report.document(
        head=head, started=started, tables=tables, runs=args.runs, warmup=args.warmup, rounds=rounds
    )
    args.output.write_text(text, encoding="utf-8")
    print(head + "\n")
    print(report.budgets([c for t in tables for c in t.checks]) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        sys.exit(1)
