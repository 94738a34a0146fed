"""Pages of query results, as the API contract lists them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    page_size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    count: int
    page: int
    page_size: int
    results: list[T]


def page_of(items: Sequence[T], page: PageRequest) -> Page[T]:
    """The requested page of a list already in order, with the list's length as its count."""
    window = list(items[page.offset : page.offset + page.page_size])
    return Page(len(items), page.page, page.page_size, window)
