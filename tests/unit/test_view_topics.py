"""A view's topics follow its handlers: each event class a handler takes, once."""

from __future__ import annotations

from typing import Any

from projections.base import event_handler, handled, topics_of
from write_model.orders import Order


class Toy:
    name = "toy"

    @event_handler
    def apply(self, event: Any) -> None:
        """Events of other kinds change nothing."""

    @apply.register
    def _(self, event: Order.Placed | Order.Confirmed) -> None: ...

    @apply.register
    def _(self, event: Order.Rejected) -> str:
        return f"rejected by {self.name}"

    @event_handler
    def other(self, event: Any) -> None: ...

    @other.register
    def _(self, event: Order.Confirmed) -> None: ...

    topics = handled(apply, other)


def test_topics_are_the_classes_the_handlers_take_each_once() -> None:
    assert Toy.topics == topics_of(Order.Placed, Order.Confirmed, Order.Rejected)


def test_a_handler_takes_the_events_of_its_class_and_the_default_others() -> None:
    rejected = Order.Rejected.__new__(Order.Rejected)

    assert Toy().apply(rejected) == "rejected by toy"
    assert Toy().apply(object()) is None
