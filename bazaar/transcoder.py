"""Event state in the library's tagged JSON, written and read by orjson.

The library's `JSONTranscoder` spends its time in Python callbacks: `default` for each UUID,
Decimal, datetime and order line written, `object_hook` for every JSON object read. This
one keeps its format (`{"_type_": name, "_data_": ...}` for each registered type, the rest
plain JSON), so rows written by either read with the other: the events stored before it,
and those written during a rolling deploy or before a downgrade.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, SafeUUID

import orjson
from eventsourcing.persistence import (
    JSONTranscoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

PLAIN = frozenset({str, int, float, bool, type(None)})
"""Written by orjson as the library writes them, so left as they are."""
CONTAINERS = frozenset({dict, list})
"""What orjson reads that may hold a tagged value."""


class OrjsonTranscoder(JSONTranscoder):
    """The library's transcoder, its registrations and format included, on orjson.

    orjson writes a UUID or a datetime as a bare string, which would read back as a string,
    so values are tagged before orjson sees them, and untagged after it has parsed them.
    Only exact built-in types and registered ones are written; anything else is refused, as
    the library refuses an unregistered type. orjson refuses to write an integer beyond 64
    bits (and reads one as a float) and writes NaN as null: event fields hold neither, as
    quantities are bounded and money is Decimal.
    """

    def __init__(self) -> None:
        super().__init__()
        self.decoders: dict[str, Callable[[Any], Any]] = {}
        """Each registered name's decode, looked up once per tagged value read."""
        self._untagged = untagger(self.decoders)

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        uuids = transcoding.name == UUIDAsHex.name
        self.decoders[transcoding.name] = uuid_from_hex if uuids else transcoding.decode

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj if type(obj) in PLAIN else self._tagged(obj))

    def decode(self, data: bytes) -> Any:
        obj = orjson.loads(data)
        return self._untagged(obj) if type(obj) in CONTAINERS else obj

    def _tagged(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is dict:
            return {k: v if type(v) in PLAIN else self._tagged(v) for k, v in obj.items()}
        if kind is tuple or kind is list:
            return [v if type(v) in PLAIN else self._tagged(v) for v in obj]
        transcoding = self.types.get(kind)
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Object of type {kind} is not serializable. Please define and register "
                "a custom transcoding for this type."
            )
        data = transcoding.encode(obj)
        return {
            "_type_": transcoding.name,
            "_data_": data if type(data) in PLAIN else self._tagged(data),
        }


def untagger(decoders: dict[str, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """What orjson read, its tagged values decoded: a function closed over `decoders`, as
    it runs for every object of every event read (a method would look itself up each time).
    """

    def untagged(obj: Any) -> Any:
        """Innermost first, as `object_hook` runs: a line's transcoding gets its UUID decoded."""
        if type(obj) is list:
            return [untagged(v) if type(v) in CONTAINERS else v for v in obj]
        if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            data, name = obj["_data_"], obj["_type_"]
            try:
                decode = decoders[name]
            except KeyError:
                raise TranscodingNotRegisteredError(
                    f"Data serialized with name '{name}' is not deserializable. Please "
                    "register a custom transcoding for this type."
                ) from None
            return decode(untagged(data) if type(data) in CONTAINERS else data)
        for key, value in obj.items():
            if type(value) in CONTAINERS:
                obj[key] = untagged(value)
        return obj

    return untagged


_new, _set, _UNKNOWN = object.__new__, object.__setattr__, SafeUUID.unknown


def uuid_from_hex(data: str) -> UUID:
    """`UUID(data)`, the library's 32 hex digits read in about half its time: UUIDs are most
    of the tagged values an event holds, and `UUID.__init__` parses its argument in Python.
    Anything else (hand-written, malformed) is left to `UUID`, to read or refuse."""
    try:
        raw = bytes.fromhex(data) if len(data) == 32 else b""
    except ValueError:
        raw = b""
    if len(raw) != 16:
        return UUID(data)
    value = _new(UUID)
    _set(value, "int", int.from_bytes(raw))
    _set(value, "is_safe", _UNKNOWN)
    return value
