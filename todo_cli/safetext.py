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

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What output.py cleans in a stream: the control characters but its own
# tab, newline and CSV's CR LF (bidi overrides are text todo accepts, and
# an export must keep them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# In JSON text C0 is escaped already and cannot occur raw.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _stand_in(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def clean(text: str, keep: str = "") -> str:
    """text with each control character and bidi override replaced by a
    visible stand-in, except those in keep (a separator the caller wrote)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _stand_in(m.group()), text)


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
    elif _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: _stand_in(m.group()), text)


def json_text(text: str) -> str:
    """JSON text with DEL, C1 and bidi overrides escaped (\\u009b): the same
    values to a parser, nothing raw for a terminal."""
    if text.isascii() and "\x7f" not in text:
        return text
    if _UNSAFE_IN_JSON.search(text) is None:
        return text
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
