"""The README's examples run as written.

Every ```console block is a terminal session: its `$ todo ...` lines run in
order on a real terminal (a pty, 80 columns) against the embedded SQLite
default of one fresh HOME, and what they print must be what the README shows
(a `...` line stands for any lines). The clock is pinned with libfaketime to
the time the `<!-- example-time: ... -->` comment before each block names,
so relative due dates and timestamps come out as printed. The ```sh blocks
that need no server run too, and must print what SH_OUTPUT says.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shlex
import shutil
import struct
import subprocess
import termios
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import IN_CI
from tests.support.peers import peer
from tests.support.processes import TODO_BIN, clean_env, drain_terminal

README = Path(__file__).resolve().parents[2] / "README.md"
_BLOCK = re.compile(
    r"<!-- example-time: (?P<at>[0-9-]+ [0-9:]+) -->\n```console\n(?P<body>.*?)^```",
    re.M | re.S,
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_PROMPT = b"]: "  # click.confirm's "[y/N]: "


@dataclass
class Step:
    command: str
    expected: list[str]

    @property
    def answers(self) -> list[str]:
        """What the README types at the prompts: the text after "[y/N]: "."""
        return [line.rsplit("]: ", 1)[1] for line in self.expected if "[y/N]: " in line]


def console_blocks() -> list[tuple[str, list[Step]]]:
    text = README.read_text(encoding="utf-8")
    blocks = []
    for m in _BLOCK.finditer(text):
        steps: list[Step] = []
        for line in m["body"].splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:], []))
            else:
                steps[-1].expected.append(line)
        blocks.append((m["at"], steps))
    return blocks


def _faketime() -> str:
    path = shutil.which("faketime")
    if path is None:
        reason = "faketime is not installed (apt-get install faketime)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def on_terminal(argv: list[str], env: dict[str, str], cwd: Path, answers: list[str]) -> str:
    """Run argv on an 80x50 pty; answer each prompt as it appears; the screen text."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 80, 0, 0))
    proc = subprocess.Popen(
        argv, stdin=child, stdout=child, stderr=child, env=env, cwd=cwd, close_fds=True
    )
    os.close(child)
    pending = list(answers)

    def answer(out: bytes) -> None:
        if pending and out.endswith(_PROMPT):
            os.write(main, (pending.pop(0) + "\n").encode())

    try:
        out = drain_terminal(main, answer, timeout=60)
    finally:
        os.close(main)
        code = proc.wait(timeout=60)
    screen = _ANSI.sub("", out.decode()).replace("\r\n", "\n")
    assert code == 0, (argv, code, screen)
    return screen


def matches(expected: list[str], actual: list[str]) -> bool:
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + r"\n" for line in expected
    )
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


def test_every_console_block_has_a_time_and_commands() -> None:
    blocks = console_blocks()
    # (An indented block in a list, like the cold start under "Using Neon",
    # needs a server that fails on cue: tests/system/test_neon.py checks those lines.)
    assert len(blocks) == len(re.findall(r"^```console", README.read_text("utf-8"), re.M))
    assert blocks
    assert all(steps and steps[0].command.startswith("todo ") for _, steps in blocks)


def test_console_examples_print_what_the_readme_shows(tmp_path: Path) -> None:
    faketime = _faketime()
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, TZ="UTC", NO_COLOR="1", COLUMNS="80", LINES="50", TERM="xterm")
    # One session across the blocks: the history example goes on from the first.
    for at, steps in console_blocks():
        for step in steps:
            words = shlex.split(step.command)
            assert words[0] == "todo", step.command
            argv = [faketime, "-f", f"@{at}", TODO_BIN, *words[1:]]
            actual = [
                line.rstrip() for line in on_terminal(argv, env, home, step.answers).split("\n")
            ]
            if actual and actual[-1] == "":
                actual.pop()
            assert matches(step.expected, actual), (
                f"$ {step.command}\n--- README:\n"
                + "\n".join(step.expected)
                + "\n--- printed:\n"
                + "\n".join(actual)
            )


def _sh_block(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


# What each sh block prints, given "Call the bank" (todo 1) added first;
# a regular expression for Taskwarrior's own lines, whose uuid follows the
# todo's creation time.
SH_OUTPUT = {
    "Import and export": (
        r"Importing 'STDIN'\n add +[0-9a-f-]{36} Call the bank\n"
        r"Imported 0 todos from taskwarrior; skipped 1\n"
        r"Imported 0 todos from todotxt; skipped 1\n"
    ),
    "Who you are: users and profiles": re.escape(
        "Saved profile work (user alice). Use it with: todo profile use work\n"
        "Saved profile home (user alice). Use it with: todo profile use home\n"
        "Now using profile work\n"
        "  home\talice\tsqlite (embedded default)\n"
        "* work\talice\tpostgresql ep-x-pooler.eu-central-1.aws.neon.tech/neondb\n"
        "Removed profile home\n"
    ),
    "Scripting": re.escape("Completed 2: Renew passport\n"),
}


@pytest.mark.parametrize("heading", list(SH_OUTPUT))
def test_shell_examples_run(tmp_path: Path, heading: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, TZ="UTC", PATH=f"{Path(TODO_BIN).parent}:{os.environ['PATH']}")
    if heading == "Import and export":
        peer(("task",), "taskwarrior")
        # A Taskwarrior user's own setup, kept inside this HOME.
        (home / ".taskrc").write_text("confirmation=off\nverbose=nothing\nhooks=off\n")
        env.update(TASKRC=str(home / ".taskrc"), TASKDATA=str(home / ".task"))
    subprocess.run([TODO_BIN, "add", "Call the bank", "-t", "home"], env=env, cwd=home, check=True)
    script = _sh_block(heading)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (script, result.stdout, result.stderr)
    assert re.fullmatch(SH_OUTPUT[heading], result.stdout), result.stdout


def _said(pattern: str) -> re.Match[str]:
    """Where the README says `pattern` (its lines joined, as a reader reads them)."""
    found = re.search(pattern, " ".join(README.read_text(encoding="utf-8").split()))
    assert found is not None, f"the README no longer says {pattern!r}"
    return found


def test_a_list_in_a_pipe_is_as_long_as_the_readme_says(tmp_path: Path) -> None:
    """Piped, a list is cut where a 50-line screen would be: the header,
    the '… and N more' line and the prompt take three of its lines."""
    stated = int(_said(r"(\d+) todos in a pipe").group(1))
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, TZ="UTC")
    titles = "".join(f"t{i}\n" for i in range(1, 61))
    subprocess.run([TODO_BIN, "add", "-"], input=titles, env=env, cwd=home, check=True, text=True)
    result = subprocess.run(
        [TODO_BIN, "list"], env=env, cwd=home, capture_output=True, text=True, check=True
    )
    assert len(result.stdout.splitlines()) == stated == 47
    assert result.stderr == "… and 13 more (todo list --limit 0 shows all; --json too)\n"


def test_the_quickstart_says_how_to_put_todo_on_the_path(tmp_path: Path) -> None:
    """The examples call a bare `todo`; the Quickstart's venv keeps it in
    .venv/bin. Activating the venv, as the Quickstart says, finds it (as
    this suite's own venv shows)."""
    _said(r"`pipx install \.`")
    activate = _said(r"`(\. \.venv/bin/activate)`").group(1)
    venv = Path(TODO_BIN).parent.parent
    if not (venv / "bin" / "activate").exists():
        pytest.skip("the suite does not run in a venv")
    (tmp_path / ".venv").symlink_to(venv)
    found = subprocess.run(
        ["bash", "-c", f"{activate} && command -v todo"],
        env=clean_env(tmp_path, PATH="/usr/bin:/bin"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (found.returncode, found.stdout) == (0, f"{TODO_BIN}\n"), found.stderr
