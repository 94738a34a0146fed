"""A view's topics follow its handlers: each event class a handler takes, once."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from projections.base import handled, topics_of
from write_model.orders import Order


class Toy:
    @singledispatchmethod
    def apply(self, event: Any) -> None:
        """Events of other kinds change nothing."""

    @apply.register
    def _(self, event: Order.Placed | Order.Confirmed) -> None: ...

    @apply.register
    def _(self, event: Order.Rejected) -> None: ...

    @singledispatchmethod
    def other(self, event: Any) -> None: ...

    @other.register
    def _(self, event: Order.Confirmed) -> None: ...

    topics = handled(apply, other)


def test_topics_are_the_classes_the_handlers_take_each_once() -> None:
    assert Toy.topics == topics_of(Order.Placed, Order.Confirmed, Order.Rejected)
