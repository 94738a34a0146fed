"""The README's walkthrough as steps: each `sh` block, the answer shown after it, its curls.

A step is an `sh` block and the block after it: a `json` block is the answer it prints, a
`text` block the exact text it prints (a status code, a PDF's first bytes), and a step
with neither prints nothing.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## Walkthrough: every endpoint with curl"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?")
ELLIPSIS = "…"
BODY_OPTIONS = {"-d", "--data", "--data-raw", "--data-binary", "-F", "--form"}


@dataclass(frozen=True)
class Step:
    script: str
    kind: str | None
    shown: str

    @property
    def name(self) -> str:
        """What the step asks, for a test id: its last curl's method and path."""
        asked = curls(self.script)
        return " ".join(asked[-1]) if asked else "setup"


def walkthrough() -> str:
    """The walkthrough section of the README, up to the next section."""
    text = README.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else len(text)]


def steps(section: str) -> list[Step]:
    """Each sh block with the answer after it; any other block must be such an answer."""
    blocks = BLOCK.findall(section)
    found: list[Step] = []
    for index, (kind, body) in enumerate(blocks):
        if kind == "sh":
            answered = index + 1 < len(blocks) and blocks[index + 1][0] != "sh"
            kind_shown, shown = blocks[index + 1] if answered else (None, "")
            found.append(Step(body, kind_shown, shown))
        elif kind not in ("json", "text") or index == 0 or blocks[index - 1][0] != "sh":
            raise AssertionError(f"a {kind} block that answers no sh block:\n{body}")
    return found


def curls(script: str) -> list[tuple[str, str]]:
    """The method and path of each curl in the script: the lines that start with `curl`,
    continued lines joined, each up to a pipe, a redirection or a here-document."""
    lines = script.replace("\\\n", " ").splitlines()
    return [curl_request(line) for line in lines if line.startswith("curl ")]


def curl_request(line: str) -> tuple[str, str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = []
    for word in lexer:
        if word[0] in "|<>;&)":
            break
        words.append(word)
    given = (after for flag, after in pairwise(words) if flag in ("-X", "--request"))
    method = next(given, "POST" if BODY_OPTIONS & set(words) else "GET")
    url = next(word for word in words if word.startswith("$BASE"))
    return method, url.removeprefix("$BASE").split("?")[0]


def operation_of(method: str, path: str, operations: set[tuple[str, str]]) -> tuple[str, str]:
    """The documented operation a README path (with `$VARIABLES` for ids) asks for."""
    for documented_method, template in operations:
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if documented_method == method and re.fullmatch(pattern, path):
            return documented_method, template
    raise AssertionError(f"the README asks for {method} {path}, which the API does not document")


def mismatches(shown: Any, answered: Any, where: str = "answer") -> list[str]:
    """Where the answer differs from what the README shows: the same keys, list lengths and
    values, except that

    - `"…"` stands for any value, and `…` in a string for any text there (tokens, trace
      ids, ids inside messages, figures that move with the clock);
    - a UUID or an ISO 8601 date or time stands for any UUID, or any date or time (ids and
      timestamps differ on every run).
    """
    if shown == ELLIPSIS:
        return []
    if isinstance(shown, dict) and isinstance(answered, dict):
        if shown.keys() != answered.keys():
            return [f"{where}: keys {sorted(answered)}, README shows {sorted(shown)}"]
        return [m for key in shown for m in mismatches(shown[key], answered[key], f"{where}.{key}")]
    if isinstance(shown, list) and isinstance(answered, list) and len(shown) == len(answered):
        pairs = enumerate(zip(shown, answered, strict=True))
        return [m for i, (s, a) in pairs for m in mismatches(s, a, f"{where}[{i}]")]
    if isinstance(shown, str) and isinstance(answered, str) and stands_for(shown, answered):
        return []
    if shown == answered and type(shown) is type(answered):
        return []
    return [f"{where}: {answered!r}, README shows {shown!r}"]


def stands_for(shown: str, answered: str) -> bool:
    if ELLIPSIS in shown:
        pattern = ".*".join(re.escape(part) for part in shown.split(ELLIPSIS))
        return re.fullmatch(pattern, answered, re.DOTALL) is not None
    return any(p.fullmatch(shown) and p.fullmatch(answered) for p in (UUID, TIME))
