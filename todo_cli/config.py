"""Configuration: the config file, profiles, .env and precedence -> Settings.

Highest first: flags, environment (including a .env in the working
directory, which never overrides variables already set, nor a profile chosen
by --profile or TODO_PROFILE), the active profile, defaults. Settings remembers where each value came from, for `todo whoami`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping

from todo_cli.classes import dataclass, field
from todo_cli.dburl import DatabaseURL, parse_database_url
from todo_cli.errors import ConfigError, InvalidInputError
from todo_cli.paths import APP as APP
from todo_cli.paths import exists, platform_path, posix

# Re-exported: the name rule is the record's (a todo's owner is a user name).
from todo_cli.todo import NAME_RULE as NAME_RULE
from todo_cli.todo import validate_name as validate_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    StrPath = str | os.PathLike[str]

DEFAULT_PROFILE = "default"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_RETRY_BUDGET = 15.0
_PROFILE_KEYS = {"user", "database_url", "online"}


@dataclass(frozen=True)
class Sourced:
    value: str
    source: str  # "flag --user", "env TODO_USER", "profile work", "default"


@dataclass(frozen=True)
class Profile:
    name: str
    user: str
    database_url: str | None = None
    online: bool = False  # offline is an error (README: Offline, Scripts and CI)


@dataclass(frozen=True)
class ConfigFile:
    path: StrPath
    current: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    profile: Sourced
    user: Sourced
    database: Sourced
    url: DatabaseURL
    config_path: StrPath  # a str as load_settings() finds it
    direct_url: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    retry_budget: float = DEFAULT_RETRY_BUDGET
    warnings: tuple[str, ...] = ()
    online: bool = False  # the profile's `online = true`


# --- paths -----------------------------------------------------------------


def config_dir(env: Mapping[str, str]) -> Path:
    from pathlib import Path

    return Path(_config_dir(env))


def _config_dir(env: Mapping[str, str]) -> str:
    if env.get("TODO_CONFIG_DIR"):
        return posix(os.path.expanduser(env["TODO_CONFIG_DIR"]))
    return platform_path(env, "XDG_CONFIG_HOME", ".config")


def data_dir(env: Mapping[str, str]) -> Path:
    from pathlib import Path

    return Path(platform_path(env, "XDG_DATA_HOME", ".local/share"))


def _platform_dir(env: Mapping[str, str], xdg_var: str, xdg_default: str) -> Path:
    from pathlib import Path

    return Path(platform_path(env, xdg_var, xdg_default))


def default_sqlite_url(env: Mapping[str, str]) -> str:
    return f"sqlite:///{posix(os.path.join(platform_path(env, 'XDG_DATA_HOME', '.local/share'), 'todo.db'))}"


# --- the config file -------------------------------------------------------


def read_config(path: StrPath) -> ConfigFile:
    if not exists(path):
        return ConfigFile(path)
    if os.path.isdir(path):
        raise ConfigError(f"config file {path} is a directory; remove it or set TODO_CONFIG_DIR")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    # Imported here (most commands run with no config file), and before the
    # try: a Ctrl-C during the import must not reach its except clauses,
    # which name the module.
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not valid UTF-8; fix or remove it") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not valid TOML: {exc}; fix or remove it"
        ) from None
    return _parse_config(path, data)


def _parse_config(path: StrPath, data: dict[str, Any]) -> ConfigFile:
    def bad(what: str) -> ConfigError:
        return ConfigError(f"config file {path}: {what}; fix or remove it")

    unknown_top = set(data) - {"current", "profiles"}
    if unknown_top:
        raise bad(f"unknown key(s) {', '.join(sorted(unknown_top))}")
    current = data.get("current")
    if current is not None and not isinstance(current, str):
        raise bad("'current' must be a string")
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise bad("'profiles' must be a table")
    profiles: dict[str, Profile] = {}
    for name, body in tables.items():
        if not isinstance(body, dict):
            raise bad(f"profile '{name}' must be a table")
        unknown = set(body) - _PROFILE_KEYS
        if unknown:
            raise bad(f"profile '{name}' has unknown key(s) {', '.join(sorted(unknown))}")
        user, url = body.get("user"), body.get("database_url")
        if not isinstance(user, str) or (url is not None and not isinstance(url, str)):
            raise bad(f"profile '{name}' needs a string 'user' (and optional 'database_url')")
        try:
            validate_name("profile", name)
            validate_name("user", user)
        except InvalidInputError as exc:
            raise bad(f"profile '{name}': {exc.message}") from None
        online = body.get("online", False)
        if not isinstance(online, bool):
            raise bad(f"profile '{name}': 'online' must be true or false")
        profiles[name] = Profile(name, user, url, online)
    return ConfigFile(path, current, profiles)


def _permission_warnings(path: StrPath) -> tuple[str, ...]:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ()
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (f"config file {path} is readable by others; run: chmod 600 {path}",)
    return ()


# --- precedence ------------------------------------------------------------


class Variables(dict[str, str]):
    """Environment variables, remembering which ones came from a .env file."""

    from_dotenv: frozenset[str] = frozenset()


def variables(cwd: StrPath | None = None, base: Mapping[str, str] | None = None) -> Variables:
    """The environment (os.environ unless given) plus a .env in the working
    directory, which never overrides it."""
    env = Variables(os.environ if base is None else base)
    dotenv_path = posix(os.path.join(cwd or os.getcwd(), ".env"))
    if os.path.isfile(dotenv_path):
        # Imported only when there is a .env: most invocations have none.
        import logging

        from dotenv import dotenv_values

        logging.getLogger("dotenv.main").setLevel(logging.ERROR)  # we report it ourselves
        try:
            values = dotenv_values(dotenv_path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {dotenv_path}: {exc}") from None
        added = {k: v for k, v in values.items() if v is not None and k not in env}
        env.update(added)
        env.from_dotenv = frozenset(added)
    return env


def _env_source(env: Mapping[str, str], name: str) -> str:
    dotenv = name in getattr(env, "from_dotenv", ())
    return f".env {name}" if dotenv else f"env {name}"


def load_settings(
    *,
    profile: str | None = None,
    user: str | None = None,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    env = variables() if env is None else env
    if profile or (
        env.get("TODO_PROFILE") and _env_source(env, "TODO_PROFILE") == "env TODO_PROFILE"
    ):
        # A profile chosen explicitly is the whole choice: a .env in a folder
        # you happen to be in must not send it to another database, user or
        # config file.
        dotenv: frozenset[str] = getattr(env, "from_dotenv", frozenset())
        env = {k: v for k, v in env.items() if k not in dotenv}
    for flag, value in (("--profile", profile), ("--user", user), ("--database-url", database_url)):
        if value == "":
            raise InvalidInputError(f"{flag} was given an empty value")
    path = posix(os.path.join(_config_dir(env), "config.toml"))
    config = read_config(path)

    chosen = _first(
        (profile, "flag --profile"),
        (env.get("TODO_PROFILE"), _env_source(env, "TODO_PROFILE")),
        (config.current, f"config {path}"),
    ) or Sourced(DEFAULT_PROFILE, "default")
    validate_name("profile", chosen.value)
    active = config.profiles.get(chosen.value)
    if active is None and chosen.source != "default":
        known = ", ".join(sorted(config.profiles)) or "none"
        raise ConfigError(
            f"unknown profile '{chosen.value}' (from {chosen.source}); known profiles: {known}. "
            "Create it with: todo profile add NAME --user USER"
        )
    profile_src = f"profile {chosen.value}"

    who = _first(
        (user, "flag --user"),
        (env.get("TODO_USER"), _env_source(env, "TODO_USER")),
        (active.user if active else None, profile_src),
    ) or Sourced(_login_name(env), "default")
    try:
        validate_name("user", who.value)
    except InvalidInputError as exc:
        if who.source != "default":
            raise
        raise InvalidInputError(
            f"your login name is not a valid todo user name ({exc.message}); "
            "set TODO_USER or pass --user"
        ) from None

    db = _first(
        (database_url, "flag --database-url"),
        (env.get("DATABASE_URL"), _env_source(env, "DATABASE_URL")),
        (active.database_url if active else None, profile_src),
    ) or Sourced(default_sqlite_url(env), "default")

    return Settings(
        profile=chosen,
        user=who,
        database=db,
        url=parse_database_url(db.value, source=db.source),
        config_path=path,
        direct_url=env.get("DATABASE_URL_DIRECT") or None,
        connect_timeout=_seconds(env, "TODO_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
        retry_budget=_seconds(env, "TODO_RETRY_BUDGET", DEFAULT_RETRY_BUDGET, zero_ok=True),
        warnings=_permission_warnings(path),
        online=bool(active and active.online),
    )


def _first(*candidates: tuple[str | None, str]) -> Sourced | None:
    for value, source in candidates:
        if value is not None and value != "":
            return Sourced(value, source)
    return None


def _login_name(env: Mapping[str, str]) -> str:
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # what getpass checks, in order
        if env.get(name):
            return env[name]
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError):
        raise ConfigError("cannot tell who you are: set TODO_USER or pass --user") from None


def _seconds(env: Mapping[str, str], name: str, default: float, *, zero_ok: bool = False) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value >= 0 if zero_ok else value > 0) or value > 3600:
        least = "0 or more" if zero_ok else "more than 0"
        raise ConfigError(f"{name}={raw!r} must be a number of seconds ({least}, at most 3600)")
    return value
