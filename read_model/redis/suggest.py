"""Title suggestions in Redis: sorted sets read by lexical range, kept by their own projection.

Keys (prefix `sug`): `sug:titles` holds `{lowercased title}\\0{title}` for each distinct
listed title, `sug:words` holds `{title lowercased from a later word on}\\0{title}`, so
one range read finds the titles starting with what was typed, another those with a word
starting with it. Two products may share a title: `sug:refs` counts the products behind
each member, and a member goes when its last product is renamed or delisted.
`sug:products` (product -> JSON list of its members), `sug:versions` (product -> version)
and `sug:position:{application}` complete it. Writes are version-guarded and apply in one
MULTI/EXEC with the position, so redelivered or reordered events change nothing.

There is no scratch-copy rebuild (as the inventory has): delete every `sug:*` key, and the
next runner start replays the log into it from position 0.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import redis
from redis.client import Pipeline

from read_model.redis.positioned import PositionedModel, as_position, queue

VIEW = "suggest"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""

_PUT_TITLE = """
local p, product = ARGV[1], ARGV[2]
if tonumber(redis.call('HGET', p .. ':versions', product) or '0') >= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', p .. ':versions', product, ARGV[3])
local old = redis.call('HGET', p .. ':products', product)
if old then
  for i, member in ipairs(cjson.decode(old)) do
    if redis.call('HINCRBY', p .. ':refs', member, -1) <= 0 then
      redis.call('HDEL', p .. ':refs', member)
      redis.call('ZREM', p .. (i == 1 and ':titles' or ':words'), member)
    end
  end
  redis.call('HDEL', p .. ':products', product)
end
if #ARGV < 4 then return 1 end
local members = {}
for i = 4, #ARGV do
  redis.call('HINCRBY', p .. ':refs', ARGV[i], 1)
  redis.call('ZADD', p .. (i == 4 and ':titles' or ':words'), 0, ARGV[i])
  members[#members + 1] = ARGV[i]
end
redis.call('HSET', p .. ':products', product, cjson.encode(members))
return 1
"""
SEPARATOR = "\x00"
WORD = re.compile(r"\w+")
BATCH = 50


class SuggestIndex(PositionedModel):
    """Writes from the projection and reads for the API; every call may raise when Redis is down."""

    kind = "suggest index"

    def __init__(self, client: redis.Redis, prefix: str = "sug") -> None:
        super().__init__(client, prefix)
        self._put_title = client.register_script(_PUT_TITLE)

    def put_title(self, pipe: Pipeline, product_id: UUID, version: int, title: str | None) -> None:
        """Index the product under `title` (None: under nothing) if `version` is newer."""
        args: list[str | int] = [self.prefix, str(product_id), version]
        args.extend(members(title) if title else [])
        queue(pipe, self._put_title, [], args)

    def suggestions(
        self, text: str, limit: int, position_key: str = ""
    ) -> tuple[int | None, list[str]]:
        """The position at `position_key` (none without one), and up to `limit` distinct
        titles starting with `text` (any case), then titles with a later word starting with
        it, each group in the order of the text from the match on. The position and the
        first ranges are read in one round trip: a `fresh` read."""
        typed = text.lower().encode()
        with self.client.pipeline(transaction=False) as pipe:
            if position_key:
                pipe.get(position_key)
            self._range(pipe, "titles", typed, 0, limit)
            self._range(pipe, "words", typed, 0, BATCH)
            *position, titles, batch = pipe.execute()
        found = dict.fromkeys(_titles(titles))
        offset = 0
        while len(found) < limit:
            found.update(dict.fromkeys(_titles(batch)))
            if len(batch) < BATCH:
                break
            offset += BATCH
            batch = self._range(self.client, "words", typed, offset, BATCH)
        return as_position(position[0] if position else None), list(found)[:limit]

    def _range(
        self, client: redis.Redis | Pipeline, kind: str, typed: bytes, offset: int, count: int
    ) -> Any:
        """The members of `kind` starting with `typed`, from `offset` (queued on a pipeline)."""
        return client.zrangebylex(
            f"{self.prefix}:{kind}", b"[" + typed, b"[" + typed + b"\xff", start=offset, num=count
        )


def _titles(members: list[bytes]) -> list[str]:
    return [_text(member).split(SEPARATOR, 1)[1] for member in members]


def members(title: str) -> list[str]:
    """The title's own member first, then one per later word start (no repeats)."""
    lowered = title.lower()
    starts = [match.start() for match in WORD.finditer(lowered) if match.start() > 0]
    words = dict.fromkeys(f"{lowered[start:]}{SEPARATOR}{title}" for start in starts)
    return [f"{lowered}{SEPARATOR}{title}", *words]


def _text(member: bytes | str) -> str:
    return member.decode() if isinstance(member, bytes) else member
