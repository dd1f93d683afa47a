"""todo's real main() in-process: whoami and precedence, profiles, the
config file's failure modes, secrets in output, and terminal vs pipe.

The config file is written directly where the test is not about `todo
profile` itself.
"""

from __future__ import annotations

import json
import re
import stat
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.support.processes import Todo

NAME_RULE = "use 1-64 letters, digits or _ . @ + -, starting with a letter, digit or _"
ANSI = re.compile(r"\x1b\[")


def err(message: str) -> str:
    return f"todo: error: {message}\n"


def whoami_text(user: str, profile: str, database: str, config: Path) -> str:
    """whoami's four lines; each value already carries its '  (source)'."""
    return f"user      {user}\nprofile   {profile}\ndatabase  {database}\nconfig    {config}\n"


def config_path(todo: Todo) -> Path:
    return todo.home / "config" / "config.toml"


def write_config(todo: Todo, text: str, mode: int = 0o600) -> Path:
    path = config_path(todo)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def assert_fails(result: Any, code: int, stderr: str) -> None:
    assert (result.returncode, result.stdout, result.stderr) == (code, "", stderr)


# --- whoami and precedence --------------------------------------------------------


def test_whoami_defaults_without_touching_anything(todo: Todo) -> None:
    cfg = config_path(todo)
    data_db = todo.home / ".local" / "share" / "todo" / "todo.db"
    assert todo.ok("whoami") == whoami_text(
        "tester  (default)", "default  (default)", f"sqlite {data_db}  (default)", cfg
    )
    assert json.loads(todo.ok("whoami", "--json")) == {
        "user": {"name": "tester", "source": "default"},
        "profile": {"name": "default", "source": "default"},
        "database": {
            "backend": "sqlite",
            "host": None,
            "port": None,
            "name": str(data_db),
            "source": "default",
        },
        "config_file": str(cfg),
    }
    # whoami neither connects nor creates the database or the config file.
    assert sorted(p.name for p in todo.home.iterdir()) == []


LAYERED_CONFIG = """\
current = "work"

[profiles.work]
user = "work-user"
database_url = "postgresql://w:PROFILEPW@work-host:5433/workdb"

[profiles.dot]
user = "dot-user"
database_url = "postgresql://dot:PROFILEPW@dot-host/dotdb"

[profiles.envp]
user = "envp-user"
database_url = "postgresql://envp:PROFILEPW@envp-host/envpdb"

[profiles.flagp]
user = "flagp-user"
database_url = "postgresql://flagp:PROFILEPW@flagp-host/flagpdb"
"""
DOTENV = (
    "TODO_PROFILE=dot\n"
    "TODO_USER=dotenv-user\n"
    "DATABASE_URL=postgresql://d:DOTENVPW@dotenv-host/dotdb?sslmode=require\n"
)
REAL_ENV = {
    "TODO_PROFILE": "envp",
    "TODO_USER": "env-user",
    "DATABASE_URL": "postgres://e:ENVPW@env-host:6543/envdb",
}
FLAGS = ["-P", "flagp", "-u", "flag-user", "--database-url", "postgres://user:SECRETPW@host/db"]


@pytest.mark.parametrize(
    ("dotenv", "env", "flags", "expected"),
    [
        pytest.param(
            False,
            {},
            [],
            (
                "work-user  (profile work)",
                "work  (config {cfg})",
                "postgresql work-host:5433/workdb  (profile work)",
            ),
            id="profile-beats-default",
        ),
        pytest.param(
            True,
            {},
            [],
            (
                "dotenv-user  (.env TODO_USER)",
                "dot  (.env TODO_PROFILE)",
                "postgresql dotenv-host/dotdb  (.env DATABASE_URL)",
            ),
            id="dotenv-beats-profile",
        ),
        pytest.param(
            True,
            {},
            ["-P", "flagp"],
            (
                "flagp-user  (profile flagp)",
                "flagp  (flag --profile)",
                "postgresql flagp-host/flagpdb  (profile flagp)",
            ),
            id="explicit-profile-beats-dotenv",
        ),
        pytest.param(
            True,
            {"TODO_PROFILE": "envp"},
            [],
            (
                "envp-user  (profile envp)",
                "envp  (env TODO_PROFILE)",
                "postgresql envp-host/envpdb  (profile envp)",
            ),
            id="env-profile-beats-dotenv",
        ),
        pytest.param(
            True,
            REAL_ENV,
            [],
            (
                "env-user  (env TODO_USER)",
                "envp  (env TODO_PROFILE)",
                "postgresql env-host:6543/envdb  (env DATABASE_URL)",
            ),
            id="env-beats-dotenv",
        ),
        pytest.param(
            True,
            REAL_ENV,
            FLAGS,
            (
                "flag-user  (flag --user)",
                "flagp  (flag --profile)",
                "postgresql host/db  (flag --database-url)",
            ),
            id="flag-beats-env",
        ),
    ],
)
def test_whoami_precedence(
    todo: Todo,
    dotenv: bool,
    env: dict[str, str],
    flags: list[str],
    expected: tuple[str, str, str],
) -> None:
    cfg = write_config(todo, LAYERED_CONFIG)
    if dotenv:
        (todo.cwd / ".env").write_text(DOTENV)
    result = todo(*flags, "whoami", env=env)
    user, profile, database = expected
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == whoami_text(user, profile.format(cfg=cfg), database, cfg)
    assert "PW" not in result.stdout  # none of the four passwords


def test_whoami_json_with_long_flags_hides_the_password(todo: Todo) -> None:
    write_config(todo, LAYERED_CONFIG)
    result = todo(
        "--profile",
        "flagp",
        "--user",
        "flag-user",
        "--database-url",
        "postgres://user:SECRETPW@host/db?sslmode=require",
        "whoami",
        "--json",
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert "SECRETPW" not in result.stdout
    assert json.loads(result.stdout) == {
        "user": {"name": "flag-user", "source": "flag --user"},
        "profile": {"name": "flagp", "source": "flag --profile"},
        "database": {
            "backend": "postgresql",
            "host": "host",
            "port": None,
            "name": "db",
            "source": "flag --database-url",
        },
        "config_file": str(config_path(todo)),
    }


# --- profiles ---------------------------------------------------------------------


def test_profile_lifecycle(todo: Todo) -> None:
    cfg = config_path(todo)
    url = "postgresql://al:SECRETPW@db.example.com:6543/todos?sslmode=require"
    assert todo.ok("profile", "add", "work", "--user", "alice", "--database-url", url) == (
        "Saved profile work (user alice). Use it with: todo profile use work\n"
    )
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert todo.ok("profile", "add", "home", "-u", "al") == (
        "Saved profile home (user al). Use it with: todo profile use home\n"
    )

    dup = todo("profile", "add", "work", "--user", "bob")
    assert_fails(dup, 2, err("profile 'work' already exists; pass --force to replace it"))
    assert tomllib.loads(cfg.read_text())["profiles"]["work"]["user"] == "alice"

    assert todo.ok("profile", "use", "work") == "Now using profile work\n"
    listed = todo("profile", "list")
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout == (
        "  home\tal\tsqlite (embedded default)\n* work\talice\tpostgresql db.example.com:6543/todos\n"
    )
    assert json.loads(todo.ok("profile", "list", "--json")) == [
        {"name": "home", "user": "al", "database": "sqlite (embedded default)", "current": False},
        {
            "name": "work",
            "user": "alice",
            "database": "postgresql db.example.com:6543/todos",
            "current": True,
        },
    ]

    assert todo.ok("profile", "add", "work", "--user", "bob", "--force").startswith(
        "Saved profile work (user bob)."
    )
    assert todo.ok("profile", "rm", "work") == (
        "Removed profile work (no profile is current now)\n"
    )
    assert tomllib.loads(cfg.read_text()) == {"profiles": {"home": {"user": "al"}}}
    assert sorted(p.name for p in cfg.parent.iterdir()) == ["config.toml"]  # no temp files


def test_unknown_profile_is_exit_3(todo: Todo) -> None:
    assert_fails(
        todo("-P", "ghost", "whoami"),
        3,
        err(
            "unknown profile 'ghost' (from flag --profile); known profiles: none. "
            "Create it with: todo profile add NAME --user USER"
        ),
    )
    write_config(todo, '[profiles.work]\nuser = "alice"\n')
    assert_fails(
        todo("profile", "use", "ghost"),
        3,
        err(
            "unknown profile 'ghost'; known profiles: work. "
            "Create it with: todo profile add NAME --user USER"
        ),
    )


@pytest.mark.parametrize(
    "name",
    ["../x", "", "a b", "x" * 100],
    ids=["dotdot", "empty", "space", "100-chars"],
)
def test_profile_add_rejects_bad_names(todo: Todo, name: str) -> None:
    result = todo("profile", "add", name, "--user", "alice")
    assert (result.returncode, result.stdout) == (2, "")
    if len(name) <= 64:
        assert result.stderr == err(f"invalid profile name '{name}': {NAME_RULE}")
    else:  # the exact quoting of an over-long name is a known rough edge
        assert result.stderr.startswith("todo: error: invalid profile name ")
        assert result.stderr.endswith(f": {NAME_RULE}\n")
        assert result.stderr.count("\n") == 1
        assert "x" * 65 not in result.stderr
    assert not config_path(todo).parent.exists()


# --- the config file's failure modes ---------------------------------------------

MALFORMED = 'current = "work"\n\n[profiles.work]\nuser = "alice\n'


@pytest.mark.parametrize(
    "args",
    [["whoami"], ["profile", "add", "x", "--user", "y", "--force"], ["profile", "use", "work"]],
    ids=["whoami", "profile-add", "profile-use"],
)
def test_malformed_config_is_exit_3_with_path_and_line_and_left_untouched(
    todo: Todo, args: list[str]
) -> None:
    cfg = write_config(todo, MALFORMED)
    before = cfg.read_bytes()
    result = todo(*args)
    assert (result.returncode, result.stdout) == (3, "")
    assert re.fullmatch(
        rf"todo: error: config file {re.escape(str(cfg))} is not valid TOML: "
        r"[^\n]*\(at line 4, column \d+\); fix or remove it\n",
        result.stderr,
    ), result.stderr
    assert cfg.read_bytes() == before
    assert sorted(p.name for p in cfg.parent.iterdir()) == ["config.toml"]


def test_config_path_that_is_a_directory_is_exit_3(todo: Todo) -> None:
    cfg = config_path(todo)
    cfg.mkdir(parents=True)
    assert_fails(
        todo("whoami"),
        3,
        err(f"config file {cfg} is a directory; remove it or set TODO_CONFIG_DIR"),
    )


def test_world_readable_config_warns_but_works(todo: Todo) -> None:
    cfg = write_config(todo, '[profiles.default]\nuser = "dee"\n', mode=0o644)
    result = todo("whoami")
    assert result.returncode == 0
    assert result.stderr == (
        f"todo: warning: config file {cfg} is readable by others; run: chmod 600 {cfg}\n"
    )
    assert result.stdout.startswith("user      dee  (profile default)\n")


# --- secrets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["whoami"],
            {"DATABASE_URL": "postgresql://u:SECRETPW@h:notaport/d"},
            "database URL (from env DATABASE_URL) is malformed: bad host or port",
        ),
        (
            ["whoami"],
            {"DATABASE_URL": "mysql://u:SECRETPW@h/d"},
            "database URL (from env DATABASE_URL) has unsupported scheme 'mysql': "
            "use postgresql:// or sqlite:///",
        ),
        (
            ["--database-url", "u:SECRETPW@h/d", "list"],
            {},
            "database URL (from flag --database-url) is malformed: "
            "expected postgresql://user:pass@host/db or sqlite:///path",
        ),
    ],
    ids=["bad-port", "bad-scheme", "no-scheme"],
)
def test_bad_database_url_is_exit_3_without_the_password(
    todo: Todo, args: list[str], env: dict[str, str], message: str
) -> None:
    result = todo(*args, env=env)
    assert_fails(result, 3, err(message))
    assert "SECRETPW" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("u@127.0.0.1:9/d?sslmode=bogus", 'invalid sslmode value: "bogus"'),
        ("u@127.0.0.1:9/d?bogusparam=1", 'invalid dsn: invalid URI query parameter: "bogusparam"'),
        ("u:pw%ZZ@127.0.0.1:9/d", 'invalid dsn: invalid percent-encoded token: "***"'),
    ],
    ids=["sslmode", "unknown-option", "bad-percent"],
)
def test_a_url_libpq_calls_invalid_is_exit_3_not_cannot_reach(
    todo: Todo, query: str, said: str
) -> None:
    """A field trial's URLs that libpq refuses before it connects: they
    were "cannot reach ... check that the server is up", exit 4."""
    result = todo("list", env={"DATABASE_URL": f"postgresql://{query}"})
    assert_fails(
        result,
        3,
        f"todo: error: cannot connect to postgresql 127.0.0.1:9/d: {said}; check the database "
        "URL\n",
    )


# --- terminal vs pipe, colour ---------------------------------------------------------


def test_list_is_a_table_on_a_tty_lines_in_a_pipe_and_plain_with_no_color(todo: Todo) -> None:
    assert todo.ok("add", "Call the bank") == "1\n"
    assert todo.ok("list") == "1\topen\tCall the bank\n"

    code, coloured = todo.tty("list", env={"TERM": "xterm-256color"})
    assert code == 0
    assert ANSI.search(coloured)  # so the NO_COLOR check below is not vacuous
    assert "Title" in coloured
    assert "Call the bank" in coloured
    assert "\t" not in coloured

    code, plain = todo.tty("list", env={"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert code == 0
    assert not ANSI.search(plain), repr(plain)
    header, row = plain.splitlines()
    assert header.split() == ["#", "Title", "Created"]
    assert re.fullmatch(r"1\s+Call the bank\s+\d{4}-\d\d-\d\d", row.strip()), row


# --- a profile's database is the one that is used, on both backends ---------------------


def test_profile_database_url_routes_the_data(todo: Todo, db_url: str) -> None:
    todo.ok("profile", "add", "work", "--user", "alice", "--database-url", db_url)
    assert todo.ok("-P", "work", "add", "via profile") == "1\n"
    assert todo.ok("-P", "work", "list") == "1\topen\tvia profile\n"
    # Nothing went to the default SQLite file.
    assert not (todo.home / ".local" / "share" / "todo").exists()


def test_ctrl_c_while_the_config_reader_loads_is_exit_130(
    todo: Todo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C that lands while config.read_config imports tomllib (a
    field trial hit it by timing) was "unexpected UnboundLocalError", exit
    1: the except clauses named the module that never came."""
    import sys

    write_config(todo, 'current = "w"\n[profiles.w]\nuser = "alice"\n')

    class Interrupted:
        def find_spec(self, name: str, *_: object) -> None:
            if name == "tomllib":
                raise KeyboardInterrupt

    monkeypatch.delitem(sys.modules, "tomllib")
    monkeypatch.setattr(sys, "meta_path", [Interrupted(), *sys.meta_path])
    result = todo("list")
    assert (result.returncode, result.stdout) == (130, "")
    assert result.stderr == "todo: error: interrupted; nothing was changed\n"


def test_a_full_disk_while_writing_the_config_leaves_it_as_it_was(
    todo: Todo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A field trial filled the disk under the config folder: `profile add`
    was "unexpected OSError", exit 1. It is the one line of a local file
    that cannot be written, exit 6, and the old file stays whole."""
    import errno
    import os

    cfg = write_config(todo, 'current = "w"\n[profiles.w]\nuser = "alice"\n')

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = todo("profile", "add", "p2", "--user", "bob")
    monkeypatch.undo()
    assert_fails(
        result,
        6,
        f"todo: error: cannot write config file {cfg}: No space left on device; it is as it "
        "was (check TODO_CONFIG_DIR)\n",
    )
    assert cfg.read_text(encoding="utf-8") == 'current = "w"\n[profiles.w]\nuser = "alice"\n'
    assert sorted(p.name for p in cfg.parent.iterdir()) == ["config.toml"]
