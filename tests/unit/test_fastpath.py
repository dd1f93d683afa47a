"""The fast path parses an everyday command line exactly as Typer does, or
leaves it to Typer: the two never disagree (fastpath.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.parsing import Parsed, Refused, typer_parse
from todo_cli import syntax
from todo_cli.fastpath import parse

EVERYDAY = [c for c in syntax.COMMANDS if c.everyday]
WORDS = sorted({*(c.name for c in EVERYDAY), *(a for c in EVERYDAY for a in c.aliases)})


def fast(args: list[str]) -> Parsed | None:
    call = parse(args)
    return None if call is None else Parsed(call.command.name, call.options, call.given)


# --- what the fast path takes, and what it leaves to Typer -----------------------

TAKEN = {
    "add with options": ["add", "Call", "the bank", "-p", "high", "-t", "a", "--tag=b", "--json"],
    "globals first": ["-u", "bob", "--profile=work", "--debug", "-v", "done", "1-3,7", "alice/2"],
    "options among arguments": ["edit", "3", "--note", "", "4", "--no-due"],
    "a dash title": ["add", "--", "-5 degrees", "--json"],
    "stdin": ["add", "-"],
    "an alias": ["ls", "--all", "-n", "0"],
    "undo N": ["undo", "3"],
    "the last value wins": ["list", "--sort", "due", "--sort=number"],
    "log": ["log", "-n", "007"],
    "stats": ["stats", "--json"],
    "rm": ["rm", "2", "--yes", "--series"],
    "show": ["show", "alice/3"],
    "reopen": ["reopen", "1"],
}
LEFT = {
    "help": ["list", "--help"],
    "short help": ["-h"],
    "version": ["--version"],
    "nothing": [],
    "a rare command": ["export", "-f", "csv"],
    "a group": ["profile", "list"],
    "a cluster": ["-vu", "bob", "list"],
    "an attached short value": ["-ubob", "list"],
    "a value like an option": ["edit", "1", "--title", "-x"],
    "a missing value": ["list", "--tag"],
    "a flag with a value": ["list", "--json=yes"],
    "out of range": ["list", "--limit", "-1"],
    "not a number": ["undo", "+3"],
    "too many": ["show", "1", "2"],
    "too few": ["done"],
    "a global after the command": ["list", "--user", "bob"],
    "no such option": ["add", "x", "--colour", "red"],
    "-- before the command": ["--", "list"],
}


@pytest.mark.parametrize("case", list(TAKEN))
def test_the_fast_path_takes_the_everyday_lines_as_typer_does(case: str) -> None:
    args = TAKEN[case]
    assert fast(args) is not None, args
    assert fast(args) == typer_parse(args)


@pytest.mark.parametrize("case", list(LEFT))
def test_the_fast_path_leaves_the_rest_to_typer(case: str) -> None:
    assert parse(LEFT[case]) is None


def test_what_a_call_holds() -> None:
    assert fast(["-u", "bob", "add", "milk", "-t", "x", "-t", "y"]) == Parsed(
        "add",
        {"user": "bob"},
        {
            "title": ["milk"], "priority": None, "due": None, "tag": ["x", "y"], "note": None,
            "every": None, "from_done": False, "until": None, "wait": None, "owner": None,
            "json_": False,
        },
    )  # fmt: skip


# --- generated command lines ------------------------------------------------------

TEXT = st.one_of(
    st.sampled_from(["", "-", "--", "x", "3", "1-3,7", "alice/2", "a b", "-5", "--json", "=", "é"]),
    st.text(alphabet="ab-=/ 0é", max_size=5),
)
NUMBER = st.sampled_from(
    ["0", "1", "5", "007", "-1", "+3", " 4", "x", "", "2147483647", "2147483648"]
)
# What a person types: no value that starts with a dash, numbers in range.
CLEAN_TEXT = st.sampled_from(["", "x", "3", "1-3,7", "alice/2", "a b", "=", "é", "high", "due"])
CLEAN_NUMBER = st.sampled_from(["0", "1", "5", "007", "2147483647"])


def option_words(option: syntax.Option, clean: bool = False) -> st.SearchStrategy[list[str]]:
    name = st.sampled_from(option.names)
    if option.takes is None:
        if clean:
            return name.map(lambda n: [n])
        return st.one_of(
            name.map(lambda n: [n]), st.tuples(name, TEXT).map(lambda t: [f"{t[0]}={t[1]}"])
        )
    if option.takes == "int":
        value = CLEAN_NUMBER if clean else NUMBER
    else:
        value = CLEAN_TEXT if clean else TEXT
    long = st.sampled_from([n for n in option.names if n.startswith("--")] or option.names)
    forms = [
        st.tuples(name, value).map(list),
        st.tuples(long if clean else name, value).map(lambda t: [f"{t[0]}={t[1]}"]),
    ]
    if not clean:
        forms.append(name.map(lambda n: [n]))  # its value missing, or the next word taken as it
    return st.one_of(*forms)


ANY_OPTION = [o for c in syntax.COMMANDS for o in c.options] + list(syntax.GLOBAL)
STRAY = st.sampled_from(["--help", "-h", "--nope", "-x", "-vu", "--version", "--"]).map(
    lambda w: [w]
)


@st.composite
def command_lines(draw: Any) -> list[str]:
    """Half what a person types (every word one the fast path should take),
    half anything: stray options, values like options, numbers out of range."""
    clean = draw(st.booleans())
    words: list[str] = []
    globals_ = [o for o in syntax.GLOBAL if not clean or o.dest != "version"]
    for option in draw(st.lists(st.sampled_from(globals_), max_size=3)):
        words += draw(option_words(option, clean))
    if not clean and draw(st.integers(0, 10)) == 0:
        words += draw(STRAY)
    others = st.sampled_from(["export", "whoami", "", "nope"])
    name = draw(st.sampled_from(WORDS) if clean else st.one_of(st.sampled_from(WORDS), others))
    words.append(name)
    command = syntax.NAMED.get(name)
    own = [option_words(o, clean) for o in command.options] if command else []
    arguments = (CLEAN_NUMBER if clean else st.one_of(TEXT, NUMBER)).map(lambda w: [w])
    parts = [*own, arguments, arguments]
    if not clean:
        parts += [st.sampled_from(ANY_OPTION).flatmap(option_words), STRAY]
    for part in draw(st.lists(st.one_of(*parts), max_size=6)):
        words += part
    return words


@settings(max_examples=400, deadline=None)
@given(command_lines())
def test_both_paths_agree_on_generated_command_lines(args: list[str]) -> None:
    """The fast path's call is Typer's; what it leaves, Typer parses or refuses."""
    mine = fast(args)
    theirs = typer_parse(args)
    if mine is not None:
        assert theirs == mine, args
    else:
        assert isinstance(theirs, Parsed | Refused)
