"""Completion's table of commands and options is the Typer app's, and the
candidates for each kind of word (the live ones: tests/cli and tests/system)."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from todo_cli import completion
from todo_cli.app import build


def _click() -> Any:
    return typer.main.get_command(build())


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    found = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found.update(_commands(command, f"{prefix}{name} "))
        elif not command.hidden:
            found[f"{prefix}{name}"] = command
    return found


def _option_strings(command: Any) -> set[str]:
    return {
        o
        for p in command.params
        if p.param_type_name == "option"
        for o in (*p.opts, *p.secondary_opts)
        if o not in ("--help", "-h")
    }


def test_the_table_has_every_command_and_option_of_the_app() -> None:
    app = _commands(_click())
    assert set(completion.COMMANDS) == set(app)
    for name, command in app.items():
        assert set(completion.COMMANDS[name][0]) == _option_strings(command), name
        # An option takes a value in the table exactly when it does in the app.
        for p in command.params:
            if p.param_type_name == "option":
                for o in p.opts:
                    assert (completion.COMMANDS[name][0][o] is None) == p.is_flag, (name, o)


def test_aliases_and_global_options_are_the_apps() -> None:
    click = _click()
    hidden = {n: c for n, c in click.commands.items() if getattr(c, "hidden", False)}
    assert set(completion.ALIASES) == set(hidden) - {"__complete"}
    for alias, command in completion.ALIASES.items():
        assert hidden[alias].callback.__name__ == click.commands[command].callback.__name__
    assert set(completion.GLOBAL) == _option_strings(click) | {"--help", "-h"}


def offered(*words: str, shell: str = "bash") -> list[str]:
    """Candidates for the last word."""
    return completion.candidates(shell, ["todo", *words], len(words))


def test_commands_and_options() -> None:
    assert offered("d") == ["db", "done"]
    assert offered("--u") == ["--user"]
    assert offered("list", "--so") == ["--sort"]
    assert offered("ls", "--sh") == ["--shared"]  # an alias completes as its command
    assert offered("-u", "bob", "ex") == ["export"]
    assert offered("profile", "") == ["add", "list", "rm", "use"]
    assert offered("admin", "user", "") == ["add", "rm"]
    assert offered("db", "st") == ["status"]


def test_option_values() -> None:
    assert offered("add", "x", "-p", "") == ["high", "medium", "low", "none"]
    assert offered("export", "--format", "t") == ["todotxt", "taskwarrior"]
    assert offered("import", "f.json", "-f", "") == ["json", "todotxt", "taskwarrior"]
    assert offered("list", "--sort", "") == ["number", "due", "priority", "created"]
    assert offered("completion", "") == ["bash", "zsh", "fish"]
    assert offered("add", "x", "--every", "w") == ["week", "weekday"]
    assert offered("add", "--note", "") == []  # free text: nothing to offer


def test_each_shell_gets_its_own_form() -> None:
    assert offered("d", shell="zsh") == ["db:Database schema", "done:Mark todos done"]
    assert offered("d", shell="fish") == ["db\tDatabase schema", "done\tMark todos done"]


def _groups(group: Any, prefix: str = "") -> dict[str, Any]:
    found = {}
    for name, command in group.commands.items():
        if getattr(command, "hidden", False):
            continue
        found[f"{prefix}{name}"] = command
        if hasattr(command, "commands"):
            found.update(_groups(command, f"{prefix}{name} "))
    return found


def test_zsh_and_fish_describe_every_command_and_group() -> None:
    """The description is the start of the command's own help."""
    for name, command in _groups(_click()).items():
        *group, word = name.split()
        (line,) = [c for c in offered(*group, word, shell="zsh") if c.split(":")[0] == word]
        described = line.split(":", 1)[1]
        assert described, name
        assert (command.help or "").startswith(described), (name, described, command.help)


def test_a_value_after_an_equals_sign() -> None:
    """bash splits --sort=d into --sort, =, d (COMP_WORDBREAKS); zsh and
    fish hand over the word whole, and want it back whole."""
    assert offered("list", "--sort", "=") == ["number", "due", "priority", "created"]
    assert offered("list", "--sort", "=", "") == ["number", "due", "priority", "created"]
    assert offered("list", "--sort", "=", "d") == ["due"]
    assert offered("list", "--sort=d", shell="zsh") == ["--sort=due"]
    assert offered("list", "--sort=", shell="fish")[:2] == ["--sort=number", "--sort=due"]
    assert offered("-P", "=", "x", "list", "--sort", "=", "p") == ["priority"]


def test_nothing_goes_wrong_whatever_the_words() -> None:
    for words in ([], ["--user"], ["no-such-command", ""], ["list", "--tag"], ["--", "x"]):
        assert isinstance(completion.candidates("bash", ["todo", *words], len(words)), list)
    import io

    assert completion.main(["bash", "not a number"], io.StringIO()) == 0


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_calls_back_todo(shell: str) -> None:
    assert f"todo __complete {shell}" in completion.SCRIPTS[shell]


def test_every_command_shows_an_example_in_its_help() -> None:
    for name, command in _commands(_click()).items():
        assert (command.epilog or "").startswith("Examples:"), name
        assert "todo " in command.epilog, name
