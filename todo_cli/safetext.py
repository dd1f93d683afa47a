"""The one sanitiser for text on its way to a terminal or a pipe.

Titles, tags, notes, names and the journal come from a database that other
people (and older clients, and raw SQL) write to, so none of it is trusted:
an escape sequence in a title could retitle the window, clear the screen or
draw a fake line over the real ones. Every control character (C0, DEL, C1,
U+009B CSI among them) and every bidi override becomes a visible stand-in
instead: a C0 character or DEL its Control Picture (ESC as U+241B), the
others U+FFFD. render.py applies it to each field before layout (so a tab
or a newline in a title cannot forge a column or a line, and widths stay
true); output.py cleans again every control character written to a stream
(stream_text), keeping only its own tabs and newlines, so a string that
reaches a stream some other way is cleaned too. JSON stays exact: json.dumps
escapes C0, and json_text() escapes the rest, as JSON allows in a string.
"""

from __future__ import annotations

import re

# Every control character and bidi override, by code point, to its stand-in.
# Tables for str.translate, not regular expressions: compiling a character
# class this wide costs about 2.7 million instructions, a fiftieth of a
# `todo add`, on every command (tests/unit/test_layout.py).
_STAND_INS = {
    **{c: chr(0x2400 + c) for c in range(0x20)},
    0x7F: "\u2421",
    **dict.fromkeys(range(0x80, 0xA0), "\ufffd"),
    **dict.fromkeys(range(0x202A, 0x202F), "\ufffd"),
    **dict.fromkeys(range(0x2066, 0x206A), "\ufffd"),
}
# What output.py cleans in a stream: the control characters but its own
# tab, newline and CR before a newline (CSV's CR LF; bidi overrides are text
# todo accepts, and an export must keep them). A pattern, compiled on first
# use: only text with a lone CR, or with a control character outside ASCII,
# needs it.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)"
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# In JSON text C0 is escaped already and cannot occur raw: DEL, C1 and the
# bidi overrides become \u escapes.
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in _STAND_INS if c >= 0x7F}


def _stand_in(char: str) -> str:
    return _STAND_INS[ord(char)]


def clean(text: str, keep: str = "") -> str:
    """text with each control character and bidi override replaced by a
    visible stand-in, except those in keep (a separator the caller wrote)."""
    if text.isascii() and text.isprintable():
        return text
    table = _STAND_INS
    if keep:
        table = {c: v for c, v in _STAND_INS.items() if chr(c) not in keep}
    cleaned = text.translate(table)
    return text if cleaned == text else cleaned


def clean_lines(text: str) -> list[str]:
    """A note: its own lines, each cleaned (a CR, a form feed and the like
    included: only the newline breaks a line)."""
    return [clean(line) for line in text.split("\n")]


def stream_text(text: str) -> str:
    """Text on its way to a stream, its tabs and newlines kept: what output.py
    writes (and a CR before a newline: CSV's line end). Quick on the common case (a listing of 100,000 todos is
    megabytes): ASCII text is checked as bytes, in C."""
    if text.isascii():
        raw = text.encode("ascii")
        lone_cr = "\r" in text and text.count("\r") != text.count("\r\n")
        if not lone_cr and len(raw.translate(None, _CONTROL_BYTES)) == len(raw):
            return text
    elif re.search(_CONTROL, text) is None:
        return text
    return re.sub(_CONTROL, lambda m: _stand_in(m.group()), text)


def json_text(text: str) -> str:
    """JSON text with DEL, C1 and bidi overrides escaped (\\u009b): the same
    values to a parser, nothing raw for a terminal."""
    if text.isascii() and "\x7f" not in text:
        return text
    escaped = text.translate(_JSON_ESCAPES)
    return text if escaped == text else escaped
