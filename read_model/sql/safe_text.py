"""Text that Postgres cannot store (NUL) is written as U+FFFD, so one event never stops a view.

The write model refuses NUL, but events recorded before it did (or by any path that skips
it) stay in the log forever, and a projection replays them on every rebuild. Postgres
`text` and `jsonb` cannot hold U+0000: psycopg refuses the write, the projection's batch
fails, and the read model stops for everyone. So every string a projection session writes
goes through `safe_text`: NUL becomes U+FFFD (the Unicode replacement character, visibly
"something was here"), everything else is written as it is.
"""

from __future__ import annotations

import json
from typing import Any

from psycopg.abc import AdaptContext, Buffer
from psycopg.types.json import set_json_dumps
from psycopg.types.string import StrBinaryDumper, StrDumper, StrDumperUnknown

NUL = "\x00"
REPLACEMENT = "\ufffd"


def safe_text(value: str) -> str:
    """`value` with each NUL replaced by U+FFFD."""
    return value.replace(NUL, REPLACEMENT) if NUL in value else value


def safe_json(value: Any) -> Any:
    """`value` with every string in it (keys too) made safe, for `jsonb`."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_json(key): safe_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [safe_json(item) for item in value]
    return value


class SafeBinaryText(StrBinaryDumper):
    def dump(self, obj: str) -> Buffer | None:
        return super().dump(safe_text(obj))


class SafeText(StrDumper):
    def dump(self, obj: str) -> Buffer | None:
        return super().dump(safe_text(obj))


class SafeUntypedText(StrDumperUnknown):
    """What a plain `%s` uses for a str: Postgres infers the type, as with psycopg's own."""

    def dump(self, obj: str) -> Buffer | None:
        return super().dump(safe_text(obj))


def write_safely(context: AdaptContext) -> None:
    """Make every str and JSON parameter written through `context` (a cursor) safe.

    Registered in psycopg's order, so a plain `%s` still sends text of unknown type.
    """
    for dumper in (SafeBinaryText, SafeText, SafeUntypedText):
        context.adapters.register_dumper(str, dumper)
    set_json_dumps(lambda obj: json.dumps(safe_json(obj)), context)
