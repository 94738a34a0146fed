"""Product events -> the Redis suggest index: listed titles in, renamed and delisted ones out."""

from __future__ import annotations

from typing import Any

from redis.client import Pipeline

from projections.base import StoreProjection, event_handler, handled
from read_model.redis import suggest
from read_model.redis.suggest import SuggestIndex
from write_model.catalogue import Product


class SuggestProjection(StoreProjection[SuggestIndex]):
    """Keeps the suggest index; its position lives in Redis with the data it describes."""

    name = suggest.VIEW

    @event_handler
    def apply(self, event: Any, pipe: Pipeline) -> None:
        """Events of other kinds change nothing here."""

    @apply.register
    def _(self, event: Product.Listed, pipe: Pipeline) -> None:
        self.store.put_title(pipe, event.originator_id, event.originator_version, event.title)

    @apply.register
    def _(self, event: Product.Revised, pipe: Pipeline) -> None:
        self.store.put_title(pipe, event.originator_id, event.originator_version, event.title)

    @apply.register
    def _(self, event: Product.Delisted, pipe: Pipeline) -> None:
        self.store.put_title(pipe, event.originator_id, event.originator_version, None)

    topics = handled(apply)
