"""The sanitiser itself: what each kind of character becomes, and what it
leaves alone."""

from __future__ import annotations

import json

import pytest

from todo_cli.safetext import clean, clean_lines, json_text, stream_text

EVIL = "a\x00b\x07c\x1b[2Jd\x7fe\x85f\x9bg\u202eh\u2066i\tj\nk\rl"


def test_clean_shows_a_stand_in_for_each_control_character() -> None:
    assert clean(EVIL) == "a␀b␇c␛[2Jd␡e\ufffdf\ufffdg\ufffdh\ufffdi␉j␊k␍l"
    assert clean(EVIL, keep="\t") == "a␀b␇c␛[2Jd␡e\ufffdf\ufffdg\ufffdh\ufffdi\tj␊k␍l"
    assert clean_lines("one\n\x1btwo") == ["one", "␛two"]


@pytest.mark.parametrize(
    "text", ["plain", "עברית right-to-left", "e\u0301 🎉 \u200b zero width \u2028", "买牛奶"]
)
def test_text_without_control_characters_is_left_alone(text: str) -> None:
    assert clean(text) is text
    assert stream_text(text) is text


def test_a_stream_keeps_its_own_tabs_newlines_and_crlf_and_bidi_text() -> None:
    assert stream_text("a\tb\r\nc\n") == "a\tb\r\nc\n"
    assert stream_text("é\u202e\r\n") == "é\u202e\r\n"
    assert stream_text("x\ry\x1b\x9b\n") == "x␍y␛\ufffd\n"
    assert stream_text("x\ry\x1b\n") == "x␍y␛\n"  # ASCII goes another way


def test_json_text_escapes_what_a_terminal_obeys_and_keeps_the_values() -> None:
    data = {"title": EVIL, "tags": ["\u202e"]}
    for ascii_ in (True, False):
        text = json_text(json.dumps(data, ensure_ascii=ascii_))
        assert json.loads(text) == data
        assert not any(c in text for c in "\x1b\x7f\x85\x9b\u202e\u2066")
