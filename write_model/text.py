"""The text rule: what we record holds no NUL or other control characters.

Postgres text cannot hold NUL, so one such event would stop a read model for everyone;
other control characters (escape sequences, DEL) garble logs, e-mails and PDFs. A field
that may span lines (a description, an address, a reason) keeps tab and line breaks.
"""

from __future__ import annotations

import re

from write_model.errors import RuleViolationError

ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
"""Every C0 control character, and DEL."""
MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""The same, but tab, line feed and carriage return (a browser's line break) are text."""
REPLACEMENT = "\ufffd"


class InvalidTextError(RuleViolationError):
    """Raised when a text field holds a NUL or another control character."""

    code = "invalid_text"


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character the rule refuses in `value`, or None when it is all text."""
    found = (MULTILINE if multiline else ONE_LINE).search(value)
    return found.group() if found else None


def checked(field: str, value: str, *, multiline: bool = False) -> str:
    """`value` itself, or refuse it naming `field` and the character's code point."""
    character = forbidden_character(value, multiline=multiline)
    if character is not None:
        raise InvalidTextError(
            f"{field} must not contain control characters (found U+{ord(character):04X}).",
            details={"field": field},
        )
    return value


def scrubbed(value: str, *, multiline: bool = True) -> str:
    """`value` with every refused character replaced by U+FFFD.

    For text no person typed (an error message a saga records when it gives up): it
    must be recorded, not refused, so it is made to pass the rule instead.
    """
    return (MULTILINE if multiline else ONE_LINE).sub(REPLACEMENT, value)
