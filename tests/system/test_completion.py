"""Completion the way each shell runs it: bash's COMP_WORDS and COMPREPLY,
zsh's words and CURRENT, fish's complete -C, and bash in tmux as a person
types; live numbers and tags from the embedded default; a database that
does not answer costs about a second and offers nothing."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.databases import ScratchDatabases, via_pgbouncer
from tests.support.inprocess import InProcess
from tests.support.peers import peer
from tests.support.processes import TODO_BIN, clean_env


def _shell(name: str) -> str:
    return peer((name,), name)


def seeded(home: Path, *commands: tuple[str, ...], **extra: str) -> dict[str, str]:
    """The environment of a HOME after `commands`, run through todo's main()
    in this process (the completions under test are what runs as a process)."""
    env = clean_env(home, TZ="UTC", **extra)
    env["PATH"] = f"{Path(TODO_BIN).parent}:{env['PATH']}"
    todo = InProcess(home, env, home)
    for args in commands:
        todo.ok(*args)
    return env


MINE = (
    ("add", "Call the bank", "-t", "money"),
    ("add", "Pay rent", "-t", "home"),
    ("add", "Water plants", "-t", "home"),
    ("done", "2"),
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A HOME whose user has 1 (open, +money), 2 (done, +home) and 3 (open, +home)."""
    return seeded(tmp_path_factory.mktemp("completion"), *MINE)


def run(env: dict[str, str], *argv: str) -> str:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60).stdout


BASH = 'source <(todo completion bash); COMP_WORDS=({words}); COMP_CWORD={cword}; ' \
       '_todo_complete; printf "%s\\n" "${{COMPREPLY[@]}}"'  # fmt: skip


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ('todo done ""', 2, "1\n3\n"),
        ('todo reopen ""', 2, "2\n"),
        ('todo list --tag ""', 3, "home\nmoney\n"),
        ('todo edit 3 --tag ""', 4, "+home\n+money\n-home\n"),
        # Only the tags of the todos named can go.
        ("todo edit 3 --tag -", 4, "-home\n"),
        ("todo edit 1 3 --tag -", 5, "-home\n-money\n"),
        ("todo edit 1,3 --tag -", 4, "-home\n-money\n"),
        ("todo edit 9 --tag -", 4, "\n"),  # printf's one line for no words
        # --tag=<TAB>: bash splits the word at = (COMP_WORDBREAKS), and
        # right after the = the word is "=".
        ("todo list --tag =", 3, "home\nmoney\n"),
        ('todo list --tag = ""', 4, "home\nmoney\n"),
        ("todo list --tag = m", 4, "money\n"),
        # Without = in COMP_WORDBREAKS the word comes whole, and goes back whole.
        ("todo list --tag=m", 2, "--tag=money\n"),
        ("todo ex", 1, "export\n"),
        ('todo list --sort ""', 3, "number\ndue\npriority\ncreated\n"),
    ],
)
def test_bash(env: dict[str, str], words: str, cword: int, expected: str) -> None:
    bash = _shell("bash")
    assert run(env, bash, "-c", BASH.format(words=words, cword=cword)) == expected


@pytest.fixture(scope="module", params=["postgresql", "pgbouncer"])
def pg_env(
    request: pytest.FixtureRequest,
    scratch_dbs: ScratchDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """The fixture's todos on a PostgreSQL of their own, direct or through
    PgBouncer in transaction mode; bob shares +home with this user to write,
    carol +news to read. Shared by the module's tests, which only read."""
    url = scratch_dbs.create()
    if request.param == "pgbouncer":
        url = via_pgbouncer(url, request.getfixturevalue("pgbouncer"))
    return seeded(
        tmp_path_factory.mktemp("completion-pg"),
        *MINE,
        ("--user", "bob", "add", "Fix the sink", "-t", "home"),
        ("--user", "bob", "share", "home", "--with", "me", "--write"),
        ("--user", "carol", "add", "Read this", "-t", "news"),
        ("--user", "carol", "share", "news", "--with", "me"),
        DATABASE_URL=url,
        TODO_USER="me",
    )


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ('todo done ""', 2, "1\n3\nbob/1\n"),
        ('todo show ""', 2, "1\n2\n3\nbob/1\ncarol/1\n"),
        ('todo reopen ""', 2, "2\n"),
        ('todo list --tag ""', 3, "home\nmoney\n"),
    ],
)
def test_bash_on_postgresql(pg_env: dict[str, str], words: str, cword: int, expected: str) -> None:
    """Live numbers from PostgreSQL and through PgBouncer: one statement in
    the one message a read sends."""
    bash = _shell("bash")
    assert run(pg_env, bash, "-c", BASH.format(words=words, cword=cword)) == expected


ZSH = (
    # compsys's functions, stubbed: _describe prints what it was given.
    "compdef() {{ : }}; _files() {{ print FILES }}; "
    '_describe() {{ print -l -- "${{(@P)${{@[-1]}}}}" }}; '
    'eval "$(todo completion zsh)"; words=({words}); CURRENT={current}; _todo'
)


def test_zsh(env: dict[str, str]) -> None:
    zsh = _shell("zsh")
    assert run(env, zsh, "-f", "-c", ZSH.format(words='todo done ""', current=3)) == (
        "1:Call the bank\n3:Water plants\n"
    )
    assert run(env, zsh, "-f", "-c", ZSH.format(words='todo list --tag ""', current=4)) == (
        "home:2 todos\nmoney:1 todo\n"
    )


def test_fish(env: dict[str, str], tmp_path: Path) -> None:
    fish = _shell("fish")
    script = tmp_path / "todo.fish"
    script.write_text(run(env, TODO_BIN, "completion", "fish"))
    fish_env = {**env, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    asked = f"source {script}; complete -C 'todo done '; complete -C 'todo list --tag m'"
    assert run(fish_env, fish, "--no-config", "-c", asked) == (
        "1\tCall the bank\n3\tWater plants\nmoney\t1 todo\n"
    )


def test_bash_in_tmux_as_a_person_types(env: dict[str, str], tmp_path: Path) -> None:
    """todo done <TAB><TAB> offers the open numbers; todo list --tag <TAB><TAB> the tags."""
    tmux = _shell("tmux")
    socket_name = f"todo-test-{tmp_path.name}"
    tmux_env = {**env, "TERM": "xterm"}

    def tmux_run(*args: str) -> str:
        return subprocess.run([tmux, "-L", socket_name, *args], env=tmux_env, check=True,
                              capture_output=True, text=True).stdout  # fmt: skip

    def screen() -> list[str]:
        return [line for line in tmux_run("capture-pane", "-p").split("\n") if line.strip()]

    def clear() -> None:
        # Typing into a screen bash has not cleared yet would mix the two:
        # wait until the prompt stands alone.
        tmux_run("send-keys", "C-u", "clear", "Enter")
        _wait_for(screen, lambda lines: lines == prompt)

    def offered(line: str) -> list[str]:
        tmux_run("send-keys", line, "Tab", "Tab")
        # bash lists the candidates under the line, then shows the line again.
        shown = _wait_for(screen, lambda lines: len(lines) >= 3)
        assert shown[0].endswith(line.rstrip()), shown
        assert shown[2].endswith(line.rstrip()), shown
        return shown[1].split()

    tmux_run("new-session", "-d", "-x", "100", "-y", "20", "bash --norc --noprofile")
    try:
        prompt = _wait_for(screen, lambda lines: len(lines) == 1)  # bash-5.2$ (or #)
        tmux_run("send-keys", 'eval "$(todo completion bash)"', "Enter")
        clear()
        assert offered("todo done ") == ["1", "3"]
        clear()
        assert offered("todo list --tag ") == ["home", "money"]
        clear()
        assert offered("todo list --tag=") == ["home", "money"]
    finally:
        subprocess.run([tmux, "-L", socket_name, "kill-server"], env=tmux_env, check=False)


def _wait_for(capture: Callable[[], list[str]], ready: Callable[[list[str]], bool]) -> list[str]:
    """What capture() returns once ready() holds: polled until a deadline,
    which only a broken shell reaches (a loaded machine just takes longer)."""
    deadline = time.monotonic() + 30
    while not ready(lines := capture()):
        assert time.monotonic() < deadline, lines
        time.sleep(0.05)  # between polls of the screen, not a wait for an outcome
    return lines


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers (a server that hangs)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def test_a_database_that_does_not_answer_costs_a_second_and_offers_nothing(
    env: dict[str, str], silent_server: int
) -> None:
    hung = {**env, "DATABASE_URL": f"postgresql://todo@127.0.0.1:{silent_server}/todo"}
    start = time.monotonic()
    out = run(hung, TODO_BIN, "__complete", "bash", "2", "todo", "done", "")
    elapsed = time.monotonic() - start
    assert out == ""
    # The live part gives up after 0.9 s (libpq alone would wait 2 s).
    assert elapsed < 1.9, elapsed
    # The static part does not connect at all.
    assert run(hung, TODO_BIN, "__complete", "bash", "1", "todo", "sh") == "share\nshares\nshow\n"
