"""In-process tests of todo_cli.config and todo_cli.dburl: precedence, sources,
.env, the config file, and database URLs (parsing, redaction, the direct endpoint).

Every load_settings() call gets an explicit env dict, so nothing of the
developer's environment leaks in; the OS login name is pinned with monkeypatch.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from todo_cli import config as cfg
from todo_cli.config import (
    ConfigFile,
    Profile,
    Settings,
    config_dir,
    default_sqlite_url,
    load_settings,
    read_config,
    validate_name,
    variables,
)
from todo_cli.dburl import parse_database_url
from todo_cli.errors import ConfigError, ExitCode, InvalidInputError, StorageError
from todo_cli.profiles import add_profile, remove_profile, use_profile, write_config

NAME_RULE = "use 1-64 letters, digits or _ . @ + -, starting with a letter, digit or _"
PG_QUERY = "?sslmode=require&channel_binding=require"


@pytest.fixture(autouse=True)
def login_name(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr("getpass.getuser", lambda: "osuser")
    return "osuser"


@pytest.fixture
def cdir(tmp_path: Path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def cpath(cdir: Path) -> Path:
    return cdir / "config.toml"


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "TODO_CONFIG_DIR": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        **extra,
    }


def write_raw(path: Path, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --- defaults and paths ---------------------------------------------------------


def test_defaults_with_no_config_and_no_env(tmp_path: Path, cpath: Path) -> None:
    s = load_settings(env=base_env(tmp_path))
    assert s == Settings(
        profile=cfg.Sourced("default", "default"),
        user=cfg.Sourced("osuser", "default"),
        database=cfg.Sourced(f"sqlite:///{tmp_path}/data/todo/todo.db", "default"),
        url=parse_database_url(f"sqlite:///{tmp_path}/data/todo/todo.db", source="default"),
        config_path=str(cpath),  # a str: no pathlib on every command's way
        direct_url=None,
        connect_timeout=10.0,
        warnings=(),
    )
    assert not cpath.exists()
    assert not (tmp_path / "data").exists()


def test_default_paths_follow_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert config_dir({}) == tmp_path / "h" / ".config" / "todo"
    assert config_dir({"XDG_CONFIG_HOME": "/xdg/c"}) == Path("/xdg/c/todo")
    assert config_dir({"TODO_CONFIG_DIR": "~/cfg", "XDG_CONFIG_HOME": "/x"}) == (
        tmp_path / "h" / "cfg"
    )
    assert default_sqlite_url({}) == f"sqlite:///{tmp_path}/h/.local/share/todo/todo.db"
    assert default_sqlite_url({"XDG_DATA_HOME": "/xdg/d"}) == "sqlite:////xdg/d/todo/todo.db"


def test_unknown_login_name_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_user() -> str:
        raise OSError("no login name")

    monkeypatch.setattr("getpass.getuser", no_user)
    with pytest.raises(ConfigError) as exc:
        load_settings(env=base_env(tmp_path))
    assert exc.value.message == "cannot tell who you are: set TODO_USER or pass --user"
    assert exc.value.exit_code == ExitCode.CONFIG
    # ...but an explicit user never needs the login name.
    assert load_settings(env=base_env(tmp_path, TODO_USER="eve")).user.value == "eve"


# --- the precedence matrix ------------------------------------------------------

WORK_URL = "postgresql://w:WORKPW@work-host:5433/workdb"
PROFILES = """\
current = "work"

[profiles.work]
user = "work-user"
database_url = "postgresql://w:WORKPW@work-host:5433/workdb"

[profiles.other]
user = "other-user"
"""
FLAG_URL = "postgresql://f:FLAGPW@flag-host/flagdb"
ENV_URL = "postgres://e:ENVPW@env-host/envdb"


@pytest.mark.parametrize(
    ("flags", "env", "current", "expected"),
    [
        pytest.param(
            {},
            {},
            True,
            {
                "profile": ("work", "config {cpath}"),
                "user": ("work-user", "profile work"),
                "database": (WORK_URL, "profile work"),
            },
            id="active-profile-beats-defaults",
        ),
        pytest.param(
            {},
            {},
            False,
            {
                "profile": ("default", "default"),
                "user": ("osuser", "default"),
                "database": ("sqlite:///{tmp}/data/todo/todo.db", "default"),
            },
            id="no-current-profile-means-defaults",
        ),
        pytest.param(
            {},
            {"TODO_PROFILE": "other"},
            True,
            {
                "profile": ("other", "env TODO_PROFILE"),
                "user": ("other-user", "profile other"),
                # `other` has no database_url: the default, not the `work` URL.
                "database": ("sqlite:///{tmp}/data/todo/todo.db", "default"),
            },
            id="env-profile-beats-current",
        ),
        pytest.param(
            {},
            {"TODO_USER": "env-user", "DATABASE_URL": ENV_URL},
            True,
            {
                "profile": ("work", "config {cpath}"),
                "user": ("env-user", "env TODO_USER"),
                "database": (ENV_URL, "env DATABASE_URL"),
            },
            id="env-beats-profile",
        ),
        pytest.param(
            {"profile": "work", "user": "flag-user", "database_url": FLAG_URL},
            {"TODO_PROFILE": "other", "TODO_USER": "env-user", "DATABASE_URL": ENV_URL},
            False,
            {
                "profile": ("work", "flag --profile"),
                "user": ("flag-user", "flag --user"),
                "database": (FLAG_URL, "flag --database-url"),
            },
            id="flags-beat-env",
        ),
        pytest.param(
            {"user": "flag-user"},
            {"TODO_PROFILE": "other", "DATABASE_URL": ENV_URL},
            True,
            {
                "profile": ("other", "env TODO_PROFILE"),
                "user": ("flag-user", "flag --user"),
                "database": (ENV_URL, "env DATABASE_URL"),
            },
            id="each-value-resolved-independently",
        ),
        pytest.param(
            {},
            {"TODO_PROFILE": "", "TODO_USER": "", "DATABASE_URL": ""},
            True,
            {
                "profile": ("work", "config {cpath}"),
                "user": ("work-user", "profile work"),
                "database": (WORK_URL, "profile work"),
            },
            id="empty-env-values-count-as-unset",
        ),
    ],
)
def test_precedence_and_sources(
    tmp_path: Path,
    cpath: Path,
    flags: dict[str, str],
    env: dict[str, str],
    current: bool,
    expected: dict[str, tuple[str, str]],
) -> None:
    text = PROFILES if current else PROFILES.replace('current = "work"\n', "")
    write_raw(cpath, text)
    s = load_settings(**flags, env=base_env(tmp_path, **env))
    got = {k: (getattr(s, k).value, getattr(s, k).source) for k in expected}
    want = {
        k: (v.format(tmp=tmp_path), src.format(cpath=cpath)) for k, (v, src) in expected.items()
    }
    assert got == want
    assert s.url == parse_database_url(want["database"][0], source=want["database"][1])


def test_a_profile_named_default_applies_without_being_current(tmp_path: Path, cpath: Path) -> None:
    write_raw(cpath, '[profiles.default]\nuser = "dee"\ndatabase_url = "sqlite:///d.db"\n')
    s = load_settings(env=base_env(tmp_path))
    assert (s.profile.value, s.profile.source) == ("default", "default")
    assert (s.user.value, s.user.source) == ("dee", "profile default")
    assert (s.database.value, s.database.source) == ("sqlite:///d.db", "profile default")


@pytest.mark.parametrize(
    ("flags", "env", "source"),
    [
        ({"profile": "ghost"}, {}, "flag --profile"),
        ({}, {"TODO_PROFILE": "ghost"}, "env TODO_PROFILE"),
        ({}, {}, "config {cpath}"),
    ],
)
def test_unknown_profile_names_its_source(
    tmp_path: Path, cpath: Path, flags: dict[str, str], env: dict[str, str], source: str
) -> None:
    write_raw(cpath, PROFILES.replace('current = "work"', 'current = "ghost"'))
    with pytest.raises(ConfigError) as exc:
        load_settings(**flags, env=base_env(tmp_path, **env))
    assert exc.value.message == (
        f"unknown profile 'ghost' (from {source.format(cpath=cpath)}); known profiles: "
        "other, work. Create it with: todo profile add NAME --user USER"
    )


def test_unknown_profile_with_no_config_file_says_none(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"; known profiles: none\. Create it with"):
        load_settings(env=base_env(tmp_path, TODO_PROFILE="work"))


@pytest.mark.parametrize(
    ("flags", "env", "kind", "bad"),
    [
        ({"user": "../x"}, {}, "user", "../x"),
        ({}, {"TODO_USER": "a b"}, "user", "a b"),
        ({"profile": "../etc"}, {}, "profile", "../etc"),
        ({}, {"TODO_PROFILE": "-x"}, "profile", "-x"),
    ],
)
def test_bad_names_from_flags_or_env_are_usage_errors(
    tmp_path: Path, flags: dict[str, str], env: dict[str, str], kind: str, bad: str
) -> None:
    with pytest.raises(InvalidInputError) as exc:
        load_settings(**flags, env=base_env(tmp_path, **env))
    assert exc.value.message == f"invalid {kind} name '{bad}': {NAME_RULE}"
    assert exc.value.exit_code == ExitCode.USAGE


def test_bad_user_name_in_config_file_is_a_config_error(tmp_path: Path, cpath: Path) -> None:
    write_raw(cpath, 'current = "w"\n[profiles.w]\nuser = "John Smith"\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(env=base_env(tmp_path))
    assert str(cpath) in exc.value.message
    assert "'w'" in exc.value.message


# --- other settings -----------------------------------------------------------


def test_direct_url_and_timeout_come_from_env(tmp_path: Path) -> None:
    s = load_settings(
        env=base_env(
            tmp_path,
            DATABASE_URL_DIRECT="postgresql://u:pw@direct/db",
            TODO_CONNECT_TIMEOUT="2.5",
        )
    )
    assert (s.direct_url, s.connect_timeout) == ("postgresql://u:pw@direct/db", 2.5)
    empty = load_settings(env=base_env(tmp_path, DATABASE_URL_DIRECT="", TODO_CONNECT_TIMEOUT=""))
    assert (empty.direct_url, empty.connect_timeout) == (None, 10.0)
    assert (
        load_settings(env=base_env(tmp_path, TODO_CONNECT_TIMEOUT="3600")).connect_timeout == 3600
    )


@pytest.mark.parametrize("raw", ["0", "-1", "3601", "abc", "nan", "inf"])
def test_bad_connect_timeout_is_a_config_error(tmp_path: Path, raw: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_settings(env=base_env(tmp_path, TODO_CONNECT_TIMEOUT=raw))
    # The bounds' wording is in flux (TODO_RETRY_BUDGET shares the check); the name,
    # the offending value and the unit are the contract.
    assert exc.value.message.startswith(f"TODO_CONNECT_TIMEOUT={raw!r} must be a number of seconds")
    assert "\n" not in exc.value.message


# --- .env -------------------------------------------------------------------------


def test_dotenv_adds_variables_but_never_overrides_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TODO_USER", "real-user")
    monkeypatch.delenv("TODO_PROFILE", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TODO_DOTENV_BARE", raising=False)
    (tmp_path / ".env").write_text(
        "# a comment\n"
        "TODO_USER=dotenv-user\n"
        "export TODO_PROFILE=dotenv-profile\n"
        f'DATABASE_URL="{ENV_URL}{PG_QUERY}"\n'
        "TODO_DOTENV_BARE\n"
    )
    env = variables(cwd=tmp_path)
    assert env["TODO_USER"] == "real-user"
    assert env["TODO_PROFILE"] == "dotenv-profile"
    assert env["DATABASE_URL"] == ENV_URL + PG_QUERY  # quotes stripped, query kept whole
    assert "TODO_DOTENV_BARE" not in env  # a key without a value is skipped
    assert {k: v for k, v in env.items() if k in os.environ} == dict(os.environ)


def test_dotenv_values_flow_into_settings_as_env(tmp_path: Path, cpath: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / ".env").write_text(
        f"TODO_USER=dotenv-user\nDATABASE_URL={ENV_URL}\nTODO_CONFIG_DIR={cpath.parent}\n"
    )
    env = {k: v for k, v in variables(cwd=work).items() if k not in os.environ}
    s = load_settings(env={**env, "XDG_DATA_HOME": str(tmp_path / "data")})
    assert (s.user.value, s.user.source) == ("dotenv-user", "env TODO_USER")
    assert (s.database.value, s.database.source) == (ENV_URL, "env DATABASE_URL")
    assert s.config_path == str(cpath)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_dotenv_never_overrides_a_profile_chosen_explicitly(
    tmp_path: Path, cpath: Path, how: str
) -> None:
    """A .env in a folder you happen to be in names another database, user
    and config: `--profile bob` (or TODO_PROFILE=bob) still means bob's."""
    cpath.parent.mkdir(parents=True, exist_ok=True)
    cpath.write_text('[profiles.bob]\nuser = "bob"\ndatabase_url = "sqlite:////bob/todo.db"\n')
    work = tmp_path / "work"
    work.mkdir()
    (work / ".env").write_text(
        f"TODO_USER=mallory\nDATABASE_URL={ENV_URL}\nDATABASE_URL_DIRECT={ENV_URL}\n"
        f"TODO_CONFIG_DIR={tmp_path / 'elsewhere'}\n"
    )
    base = {
        "TODO_CONFIG_DIR": str(cpath.parent),
        **({"TODO_PROFILE": "bob"} if how == "env" else {}),
    }
    env = variables(cwd=work, base=base)
    s = load_settings(profile="bob" if how == "flag" else None, env=env)
    assert (s.user.value, s.user.source) == ("bob", "profile bob")
    assert (s.database.value, s.database.source) == ("sqlite:////bob/todo.db", "profile bob")
    assert (s.config_path, s.direct_url) == (str(cpath), None)
    # Without the explicit choice the .env applies, as before.
    s = load_settings(env=variables(cwd=work, base={"TODO_CONFIG_DIR": str(cpath.parent)}))
    assert (s.user.value, s.user.source) == ("mallory", ".env TODO_USER")


def test_dotenv_is_only_read_from_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TODO_DOTENV_PROBE=parent\n")
    child = tmp_path / "child"
    child.mkdir()
    assert "TODO_DOTENV_PROBE" not in variables(cwd=child)  # no walking up
    assert variables(cwd=tmp_path)["TODO_DOTENV_PROBE"] == "parent"
    (child / ".env").mkdir()  # a directory named .env is not a file
    assert variables(cwd=child) == dict(os.environ)


# --- names ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "A9", "_x", "alice@example.com", "a.b+c-d_e", "x" * 64, "0"])
def test_valid_names(name: str) -> None:
    assert validate_name("profile", name) == name


@pytest.mark.parametrize(
    "name",
    ["", "../x", "a/b", "a b", " a", "a\n", "-x", ".x", "@x", "é", "x" * 65, "a\\b", "a:b"],
)
def test_invalid_names(name: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        validate_name("user", name)
    assert exc.value.message.startswith("invalid user name ")
    assert exc.value.message.endswith(f": {NAME_RULE}")
    assert "\n" not in exc.value.message


@pytest.mark.parametrize("name", ["x" * 100, "a\tb"])
def test_invalid_name_is_quoted_once(name: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        validate_name("profile", name)
    assert "\"'" not in exc.value.message
    assert "\\\\" not in exc.value.message


# --- the config file ------------------------------------------------------------


def test_missing_config_file_is_empty(cpath: Path) -> None:
    assert read_config(cpath) == ConfigFile(cpath)


TRICKY = [
    'quo"te',
    "back\\slash",
    "ünïcødé ✓ 日本",
    "tab\tnewline\nend",
    "'single' and [brackets] = # not a comment",
    "\\u0041 literal",
]


def test_write_read_round_trip_with_tricky_strings(cpath: Path) -> None:
    # Names are validated on read; URLs (and so the TOML escaping) carry the tricky text.
    profiles = {
        f"p{i}": Profile(f"p{i}", f"user-{i}", f"postgresql://u:{text}@h/db{PG_QUERY}")
        for i, text in enumerate(TRICKY)
    }
    profiles["plain"] = Profile("plain", "p", None)
    original = ConfigFile(cpath, "p0", profiles)
    write_config(original)
    assert read_config(cpath) == original
    assert tomllib.loads(cpath.read_text(encoding="utf-8"))["current"] == "p0"


def test_a_bad_profile_name_in_the_file_is_a_config_error(cpath: Path) -> None:
    write_raw(cpath, '[profiles."quo\\"te"]\nuser = "u"\n')
    with pytest.raises(ConfigError) as exc:
        read_config(cpath)
    assert str(cpath) in exc.value.message
    assert "invalid profile name" in exc.value.message


def test_unknown_top_level_keys_are_a_config_error(cpath: Path) -> None:
    write_raw(cpath, 'curent = "work"\n')
    with pytest.raises(ConfigError) as exc:
        read_config(cpath)
    assert exc.value.message == f"config file {cpath}: unknown key(s) curent; fix or remove it"


def test_round_trip_with_del_character(cpath: Path) -> None:
    original = ConfigFile(cpath, None, {"a": Profile("a", "u", "postgresql://u:p\x7fw@h/d")})
    write_config(original)
    assert read_config(cpath) == original


def test_add_profile_round_trips_urls_with_quotes_backslashes_and_unicode(cpath: Path) -> None:
    url = 'postgresql://ü:p"w\\ö€%40x@host:5432/db' + PG_QUERY
    add_profile(cpath, "work", user="alice@example.com", database_url=url, replace=False)
    assert read_config(cpath).profiles == {"work": Profile("work", "alice@example.com", url)}


def test_written_file_is_0600_in_a_0700_directory_even_with_umask_0(cpath: Path) -> None:
    old = os.umask(0)
    try:
        write_config(ConfigFile(cpath, None, {"a": Profile("a", "u")}))
    finally:
        os.umask(old)
    assert stat.S_IMODE(cpath.stat().st_mode) == 0o600
    assert stat.S_IMODE(cpath.parent.stat().st_mode) == 0o700


def test_rewrite_tightens_an_existing_world_readable_file(cpath: Path) -> None:
    write_raw(cpath, '[profiles.a]\nuser = "u"\n', mode=0o644)
    add_profile(cpath, "b", user="v", database_url=None, replace=False)
    assert stat.S_IMODE(cpath.stat().st_mode) == 0o600


def test_atomic_write_leaves_no_temp_files(cdir: Path, cpath: Path) -> None:
    for i in range(3):
        add_profile(cpath, f"p{i}", user="u", database_url=None, replace=False)
    use_profile(cpath, "p1")
    remove_profile(cpath, "p0")
    assert files_in(cdir) == ["config.toml"]


def test_failed_write_keeps_the_old_file_and_removes_the_temp_file(
    cdir: Path, cpath: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_raw(cpath, '[profiles.a]\nuser = "u"\n')
    before = cpath.read_bytes()

    def broken_replace(*_paths: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", broken_replace)
    with pytest.raises(StorageError, match=f"cannot write config file {cpath}: No space left"):
        add_profile(cpath, "b", user="v", database_url=None, replace=False)
    assert cpath.read_bytes() == before
    assert files_in(cdir) == ["config.toml"]


MALFORMED = 'current = "work"\n\n[profiles.work]\nuser = "alice\n'


def test_malformed_toml_names_file_and_line_and_is_never_rewritten(cpath: Path) -> None:
    write_raw(cpath, MALFORMED)
    before = cpath.read_bytes()
    actions: list[Callable[[], object]] = [
        lambda: read_config(cpath),
        lambda: add_profile(cpath, "x", user="y", database_url=None, replace=True),
        lambda: use_profile(cpath, "work"),
        lambda: remove_profile(cpath, "work"),
    ]
    for action in actions:
        with pytest.raises(ConfigError) as exc:
            action()
        message = exc.value.message
        assert message.startswith(f"config file {cpath} is not valid TOML: ")
        assert "line 4" in message
        assert message.endswith("; fix or remove it")
    assert cpath.read_bytes() == before
    assert files_in(cpath.parent) == ["config.toml"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("current = 5\n", "'current' must be a string"),
        ('profiles = "x"\n', "'profiles' must be a table"),
        ("[profiles]\nw = 1\n", "profile 'w' must be a table"),
        ('[profiles.w]\nuser = "a"\npassword = "x"\n', "profile 'w' has unknown key(s) password"),
        ("[profiles.w]\n", "profile 'w' needs a string 'user' (and optional 'database_url')"),
        (
            '[profiles.w]\nuser = "a"\ndatabase_url = 5\n',
            "profile 'w' needs a string 'user' (and optional 'database_url')",
        ),
    ],
)
def test_structurally_wrong_config_is_a_config_error(cpath: Path, text: str, problem: str) -> None:
    write_raw(cpath, text)
    with pytest.raises(ConfigError) as exc:
        read_config(cpath)
    assert exc.value.message == f"config file {cpath}: {problem}; fix or remove it"


def test_non_utf8_config_and_directory_config(cpath: Path) -> None:
    cpath.parent.mkdir()
    cpath.write_bytes(b'current = "\xff"\n')
    with pytest.raises(ConfigError) as exc:
        read_config(cpath)
    assert exc.value.message == f"config file {cpath} is not valid UTF-8; fix or remove it"
    cpath.unlink()
    cpath.mkdir()
    with pytest.raises(ConfigError) as exc:
        read_config(cpath)
    assert exc.value.message == (
        f"config file {cpath} is a directory; remove it or set TODO_CONFIG_DIR"
    )


@pytest.mark.parametrize(("mode", "warns"), [(0o600, False), (0o640, True), (0o604, True)])
def test_permission_warning(tmp_path: Path, cpath: Path, mode: int, warns: bool) -> None:
    write_raw(cpath, '[profiles.a]\nuser = "u"\n', mode=mode)
    expected = (f"config file {cpath} is readable by others; run: chmod 600 {cpath}",)
    assert load_settings(env=base_env(tmp_path)).warnings == (expected if warns else ())


# --- profile management ---------------------------------------------------------


def test_profile_add_use_remove(cpath: Path) -> None:
    add_profile(cpath, "work", user="alice", database_url=ENV_URL, replace=False)
    add_profile(cpath, "home", user="al", database_url=None, replace=False)
    with pytest.raises(InvalidInputError) as exc:
        add_profile(cpath, "work", user="bob", database_url=None, replace=False)
    assert exc.value.message == "profile 'work' already exists; pass --force to replace it"
    use_profile(cpath, "work")
    add_profile(cpath, "work", user="bob", database_url=None, replace=True)
    assert read_config(cpath) == ConfigFile(
        cpath, "work", {"work": Profile("work", "bob"), "home": Profile("home", "al")}
    )
    assert remove_profile(cpath, "home") is False
    assert read_config(cpath).current == "work"
    assert remove_profile(cpath, "work") is True
    assert read_config(cpath) == ConfigFile(cpath, None, {})


def test_unknown_profile_for_use_and_rm(cpath: Path) -> None:
    add_profile(cpath, "work", user="alice", database_url=None, replace=False)
    for action in (use_profile, remove_profile):
        with pytest.raises(ConfigError) as exc:
            action(cpath, "ghost")
        assert exc.value.message == (
            "unknown profile 'ghost'; known profiles: work. "
            "Create it with: todo profile add NAME --user USER"
        )


@pytest.mark.parametrize(
    ("name", "user", "url", "error"),
    [
        ("../x", "u", None, InvalidInputError),
        ("ok", "a b", None, InvalidInputError),
        ("ok", "u", "mysql://u:SECRETPW@h/d", ConfigError),
        ("ok", "u", "postgresql://u:SECRETPW@h:notaport/d", ConfigError),
    ],
)
def test_add_profile_validates_before_writing(
    cpath: Path, name: str, user: str, url: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error) as exc:
        add_profile(cpath, name, user=user, database_url=url, replace=False)
    assert "SECRETPW" not in str(exc.value)
    assert not cpath.parent.exists()


# --- database URLs --------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg2", "PostgreSQL"])
def test_postgres_schemes_and_byte_exact_query(scheme: str) -> None:
    rest = f"al%40ice:S3CR%2FT@ep-x-pooler.eu-central-1.aws.neon.tech:6543/my%20db{PG_QUERY}"
    url = parse_database_url(f"{scheme}://{rest}", source="env DATABASE_URL")
    assert url.backend == "postgresql"
    assert (url.host, url.port, url.database) == (
        "ep-x-pooler.eu-central-1.aws.neon.tech",
        6543,
        "my db",
    )
    assert (url.username, url.password) == ("al@ice", "S3CR%2FT")
    assert url.sqlalchemy_url == "postgresql+psycopg2://" + rest
    assert url.display() == "postgresql ep-x-pooler.eu-central-1.aws.neon.tech:6543/my db"


def test_sqlite_urls() -> None:
    url = parse_database_url("sqlite:////abs/todo.db", source="")
    assert (url.backend, url.database, url.password) == ("sqlite", "/abs/todo.db", None)
    assert url.sqlalchemy_url == "sqlite:////abs/todo.db"
    assert url.display() == "sqlite /abs/todo.db"
    assert parse_database_url("sqlite:///rel.db", source="").display() == "sqlite rel.db"
    assert parse_database_url("sqlite:///:memory:", source="").display() == "sqlite :memory:"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("postgresql://u:SECRETPW@h/d", "postgresql h/d"),
        ("postgresql://u:SECRETPW@h:5432/d?sslmode=require", "postgresql h:5432/d"),
        ("postgresql://u:SECRET%40PW@h/d", "postgresql h/d"),
        ("postgresql://u:SECRET@PW@h/d", "postgresql h/d"),  # unencoded @ in the password
        ("postgresql://u@/d", "postgresql localhost/d"),  # no password, no host
        ("postgresql://u:SECRETPW@[::1]:5432/d", "postgresql ::1:5432/d"),
    ],
)
def test_display_and_redact_never_show_the_password(raw: str, shown: str) -> None:
    url = parse_database_url(raw, source="")
    assert url.display() == shown
    message = f"could not connect to {raw}: bad"
    expected = message.replace(url.password, "***") if url.password else message
    assert url.redact(message) == expected
    assert "SECRET" not in url.display() + url.redact(message)


def test_redact_also_removes_the_decoded_password() -> None:
    url = parse_database_url("postgresql://u:p%40ss%2Fw0rd@h/d", source="")
    assert url.redact("a p@ss/w0rd b p%40ss%2Fw0rd c") == "a *** b *** c"
    plain = parse_database_url("postgresql://u@h/d", source="")
    assert plain.redact("nothing to hide") == "nothing to hide"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "is empty or has surrounding spaces"),
        (" postgresql://u:SECRETPW@h/d", "is empty or has surrounding spaces"),
        ("postgresql://u:SECRETPW@h/d\n", "is empty or has surrounding spaces"),
        (
            "u:SECRETPW@h/d",
            "is malformed: expected postgresql://user:pass@host/db or sqlite:///path",
        ),
        (
            "mysql://u:SECRETPW@h/d",
            "has unsupported scheme 'mysql': use postgresql:// or sqlite:///",
        ),
        ("postgresql://u:SECRETPW@h:notaport/d", "is malformed: bad host or port"),
        ("postgresql://u:SECRETPW@h:99999/d", "is malformed: bad host or port"),
        ("postgresql://u:SECRETPW@[::1/d", "is malformed: bad host or port"),
        ("sqlite://SECRETPW.db", "is malformed: use sqlite:///path/to/file.db"),
    ],
)
def test_malformed_urls_name_the_source_and_hide_the_password(raw: str, problem: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_database_url(raw, source="env DATABASE_URL")
    assert exc.value.message == f"database URL (from env DATABASE_URL) {problem}"
    assert "SECRETPW" not in str(exc.value)
    with pytest.raises(ConfigError) as exc:
        parse_database_url(raw, source="")
    assert exc.value.message == f"database URL {problem}"


def test_unencoded_slash_in_password_is_refused_without_showing_it() -> None:
    # urlsplit reads the part after the / as the path, password included.
    with pytest.raises(ConfigError) as exc:
        parse_database_url("postgresql://u:1234/SECRET@h/d", source="")
    assert exc.value.message == (
        "database URL is malformed: percent-encode / ? # @ in the user name and password "
        "(e.g. / as %2F)"
    )


# --- the direct (unpooled) endpoint --------------------------------------------


@pytest.mark.parametrize(
    ("pooled", "direct"),
    [
        (
            f"postgresql://a:PW@ep-cool-123-pooler.eu-central-1.aws.neon.tech/neondb{PG_QUERY}",
            f"postgresql://a:PW@ep-cool-123.eu-central-1.aws.neon.tech/neondb{PG_QUERY}",
        ),
        (
            "postgres://a:PW@ep-x-pooler.neon.tech:5432/db",
            "postgres://a:PW@ep-x.neon.tech:5432/db",
        ),
        (  # only the host changes, even when the user name looks the same
            "postgresql://ep-x-pooler:ep-x-pooler@ep-x-pooler.neon.tech/db",
            "postgresql://ep-x-pooler:ep-x-pooler@ep-x.neon.tech/db",
        ),
        ("postgresql://a@ep-x-pooler/db", "postgresql://a@ep-x/db"),
        ("postgresql://a@ep-x.pooler-neon.tech/db", None),  # not the first label
        ("postgresql://a@ep-x-pooler-1.neon.tech/db", None),  # not a suffix
        ("postgresql:///db", None),  # no host
        ("sqlite:///todo.db", None),
    ],
)
def test_direct_strips_pooler_from_the_first_host_label(pooled: str, direct: str | None) -> None:
    url = parse_database_url(pooled, source="env DATABASE_URL")
    result = url.direct()
    if direct is None:
        assert result is url
    else:
        assert result.raw == direct
        assert result.password == url.password
        assert result.port == url.port


def test_database_url_direct_wins_and_is_validated() -> None:
    url = parse_database_url("postgresql://a:PW@ep-x-pooler.neon.tech/db", source="")
    other = "postgresql://b:PW2@elsewhere:5433/db2?sslmode=require"
    assert url.direct(other).raw == other
    assert url.direct("").raw == "postgresql://a:PW@ep-x.neon.tech/db"
    with pytest.raises(ConfigError) as exc:
        url.direct("mysql://b:SECRETPW@h/d")
    assert exc.value.message == (
        "database URL (from DATABASE_URL_DIRECT) has unsupported scheme 'mysql': "
        "use postgresql:// or sqlite:///"
    )


def test_direct_handles_upper_case_hosts() -> None:
    url = parse_database_url("postgresql://a:PW@EP-X-POOLER.neon.tech/db", source="")
    assert url.direct().host == "ep-x.neon.tech"


@pytest.mark.parametrize("flag", ["profile", "user", "database_url"])
def test_an_empty_flag_is_an_error_not_a_fallthrough(tmp_path: Path, flag: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        load_settings(**{flag: ""}, env=base_env(tmp_path))
    assert exc.value.message == f"--{flag.replace('_', '-')} was given an empty value"


def test_an_unreadable_config_file_is_a_config_error(
    cpath: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root every file is readable, so simulate what a normal user would hit.
    write_raw(cpath, 'current = "x"\n')

    def denied(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cfg, "open", denied, raising=False)  # read_config's open()
    with pytest.raises(ConfigError) as exc:
        read_config(cpath)
    assert exc.value.message == f"cannot read config file {cpath}: Permission denied"


def test_a_profile_replaced_keeps_its_online_setting(tmp_path: Path) -> None:
    """todo admin user add rewrites the profile (replace): a profile that
    said online = true must not quietly allow offline again."""
    path = tmp_path / "config.toml"
    path.write_text('[profiles.ci]\nuser = "alice"\nonline = true\n')
    path.chmod(0o600)
    add_profile(path, "ci", user="alice", database_url="postgresql://h/db", replace=True)
    assert read_config(path).profiles["ci"] == Profile("ci", "alice", "postgresql://h/db", True)
    assert "online = true\n" in path.read_text()
