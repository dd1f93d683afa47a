"""A venv with another git revision's todo, for `--baseline REV`.

The revision's files come from `git archive` into bench/.work/baseline-<sha>/src
and are installed (not editable) into bench/.work/baseline-<sha>/venv, with
every dependency pinned to the version the bench venv has (`pip freeze` as
constraints): the two todos differ in their own code only. The venv is kept
and reused while the revision and the pins are the same.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from bench.harness import BENCH, ROOT, BenchError

WORK = BENCH / ".work"


def _run(argv: list[str]) -> str:
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv[:4])} ...: exit {proc.returncode}\n{proc.stderr.strip()}")
    return proc.stdout


def resolve(rev: str) -> str:
    """The full commit id of a revision of this repository."""
    try:
        return _run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"]).strip()
    except BenchError:
        raise BenchError(f"--baseline {rev}: not a commit of this repository") from None


def build(rev: str, python: str) -> tuple[str, str]:
    """(path of the revision's `todo`, its commit id), building its venv if need be."""
    sha = resolve(rev)
    base = WORK / f"baseline-{sha[:12]}"
    venv, src = base / "venv", base / "src"
    todo = venv / "bin" / "todo"
    pins = _run([python, "-m", "pip", "freeze", "--exclude-editable", "--exclude", "todo-cli"])
    marker = base / "built.txt"
    stamp = f"{sha}\n{pins}"
    if todo.exists() and marker.exists() and marker.read_text(encoding="utf-8") == stamp:
        print(f"   reusing {base.relative_to(ROOT)}", file=sys.stderr, flush=True)
        return str(todo), sha
    print(f"   building {base.relative_to(ROOT)} ({sha[:12]})", file=sys.stderr, flush=True)
    shutil.rmtree(base, ignore_errors=True)
    src.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", sha], cwd=ROOT, stdout=subprocess.PIPE)
    untar = subprocess.run(["tar", "-x", "-C", str(src)], stdin=archive.stdout, timeout=300)
    if archive.wait() != 0 or untar.returncode != 0:
        raise BenchError(f"git archive {sha[:12]} | tar -x failed")
    constraints = base / "constraints.txt"
    constraints.write_text(pins, encoding="utf-8")
    _run([python, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
    _run([*pip, "-c", str(constraints), str(src)])
    if not todo.exists():
        raise BenchError(f"the venv of {sha[:12]} has no todo")
    marker.write_text(stamp, encoding="utf-8")
    return str(todo), sha
