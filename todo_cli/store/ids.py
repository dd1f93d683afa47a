"""Random ids (a request's, a series', a spawn's): the text of
uuid.uuid4().hex, made without `import uuid`, which brings `platform` and
costs a few per cent of an everyday command's start-up (issue 23)."""

from __future__ import annotations

import os


def uuid4_hex() -> str:
    """32 lowercase hex digits of a random version-4 UUID, as uuid.uuid4().hex."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return raw.hex()
