"""The bench times only commands that answered what they should: a command
that prints nothing is quick, and timing it proves nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.harness import BenchError, Cmd, check_output, time_interleaved


def python(code: str, *, expect: str | None) -> Cmd:
    return Cmd("probe", [sys.executable, "-c", code], {}, expect=expect)


def test_a_command_is_timed_once_its_output_matches(tmp_path: Path) -> None:
    cmd = python("print(42)", expect=r"\d+\n")
    timings = time_interleaved([cmd], runs=2, warmup=0, cwd=tmp_path)
    assert timings["probe"].runs == 2


@pytest.mark.parametrize(
    ("code", "expect", "message"),
    [
        ("pass", r"\d+\n", "probe: printed '', not what it should ('\\\\d+\\\\n')"),
        ("print(42)", "", "probe: printed '42\\n', not what it should ('')"),
        ("print(42)", None, "probe: a timed command must say what it prints (Cmd.expect)"),
    ],
)
def test_an_empty_or_wrong_answer_is_never_timed(
    tmp_path: Path, code: str, expect: str | None, message: str
) -> None:
    with pytest.raises(BenchError) as raised:
        time_interleaved([python(code, expect=expect)], runs=2, warmup=0, cwd=tmp_path)
    assert str(raised.value).split("\n")[0] == message


def test_a_command_that_prints_nothing_by_design_says_so(tmp_path: Path) -> None:
    check_output(python("pass", expect=""), cwd=tmp_path)
