"""Product search over the catalogue tables: full text first, close spellings when it finds nothing.

The products table carries a weighted `search` tsvector (schema.py) that Postgres keeps in
step with every write of the catalogue projection, so searching needs no writes of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from read_model.paging import Page, PageRequest
from read_model.sql.catalogue import distance_km_sql, listed_products_matching
from read_model.sql.rows import counted_page
from read_model.sql.schema import TITLE_WORDS, TRIGRAM_SCHEMA

QUERY = "websearch_to_tsquery('english', %(q)s)"
SORTS = {
    "relevance": ("tier DESC", "score DESC", "created_at DESC", "id"),
    "price": ("price", "id"),
    "-price": ("price DESC", "id"),
    "newest": ("created_at DESC", "id"),
}
"""Each order's keys, all of them columns of the ranked hits."""


@dataclass(frozen=True, slots=True)
class SearchFilter:
    q: str | None = None
    category: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    store_id: UUID | None = None
    in_stock: bool | None = None
    """Only with `store_id`: stock is kept per store."""
    near: tuple[float, float] | None = None
    radius_km: float = 10.0
    sort: str = "relevance"


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: UUID
    title: str
    description: str
    price: Decimal
    category: str
    store_id: UUID
    quantity: int | None
    """What the filter's store has available (0 if it keeps none); None without a store."""


@dataclass(frozen=True, slots=True)
class Match:
    """How a text query selects rows (`condition`) and ranks them (`tier`, then `score`)."""

    condition: str
    tier: str
    score: str


FULL_TEXT = Match(
    condition=f"(search @@ {QUERY} OR lower(title) LIKE %(prefix)s)",
    tier="CASE WHEN lower(title) = lower(%(q)s) THEN 3 WHEN lower(title) LIKE %(prefix)s THEN 2"
    f" WHEN title_search @@ {QUERY} THEN 1 ELSE 0 END",
    score=f"ts_rank(search, {QUERY})",
)
SPELT_LIKE = "to_tsquery('english', %(spelt_like)s)"
CLOSE_SPELLING = Match(
    condition=f"search @@ {SPELT_LIKE}", tier="0", score=f"ts_rank(search, {SPELT_LIKE})"
)
"""Titles with every word of the query as spelt in `title_words` (the `:A` weight is the
title's): a trigram match of the whole query against every title cost a recheck of each
candidate, thousands for a query of common words."""
CLOSEST_WORDS = (
    "SELECT q.word, (SELECT t.word FROM title_words t"
    f" WHERE t.word OPERATOR({TRIGRAM_SCHEMA}.%%) q.word"
    f" ORDER BY {TRIGRAM_SCHEMA}.similarity(t.word, q.word) DESC, t.word LIMIT 1)"
    f" FROM {TITLE_WORDS.format(title='%s')} WITH ORDINALITY AS q(word, n)"
    " WHERE q.word <> '' ORDER BY q.n"
)
EVERYTHING = Match(condition="true", tier="0", score="0")


def search_products(pool: ConnectionPool, page: PageRequest, f: SearchFilter) -> Page[SearchHit]:
    """Listed products matching `f`, best first by default.

    Relevance puts an exact title first, then titles starting with `q`, then other title
    matches, then by full-text rank (title > category > description). When the full text
    finds nothing, titles spelt like `q` answer instead (pg_trgm word similarity), so a
    typo still finds the product.
    """
    if not f.q:
        return _page(pool, page, f, EVERYTHING)
    found = _page(pool, page, f, FULL_TEXT)
    if found.count:
        return found
    spelt_like = _spelt_like_titles(pool, f.q)
    return (
        found if spelt_like is None else _page(pool, page, f, CLOSE_SPELLING, spelt_like=spelt_like)
    )


def suggest_titles(pool: ConnectionPool, text: str, limit: int) -> list[str]:
    """Distinct titles starting with `text`, then titles with a word starting with it.

    The SQL twin of the Redis suggest index, for when Redis is down or behind.
    """
    lowered = text.lower()
    params = {
        "prefix": _like_prefix(lowered),
        "word": rf"\m{re.escape(lowered)}",
        "tail": rf"\m{re.escape(lowered)}.*",
        "limit": limit,
    }
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT title FROM (SELECT DISTINCT ON (title) title,"
            " NOT title ILIKE %(prefix)s AS infix,"
            " substring(lower(title) from %(tail)s) AS tail"
            " FROM products WHERE NOT delisted AND title ~* %(word)s"
            " ORDER BY title, infix) found"
            " ORDER BY infix, tail, title LIMIT %(limit)s",
            params,
        ).fetchall()
    return [row[0] for row in rows]


def _spelt_like_titles(pool: ConnectionPool, q: str) -> str | None:
    """A tsquery of titles holding each word of `q` as the closest word of any title spells
    it; None when a word has no close spelling, or when every one is spelt so already (the
    full text found nothing)."""
    with pool.connection() as conn:
        rows = conn.execute(CLOSEST_WORDS, (q,)).fetchall()
    closest = [best for _, best in rows]
    if None in closest or all(word == best for word, best in rows):
        return None
    return " & ".join(f"{word}:A" for word in closest)


def _page(
    pool: ConnectionPool, page: PageRequest, f: SearchFilter, match: Match, **extra: str
) -> Page[SearchHit]:
    """Hits are ranked on a narrow row (what the order needs) and counted in the same pass,
    as the order sees every hit anyway; only the page's products are read in full."""
    where, params = _filters(f)
    params.update(q=f.q, prefix=_like_prefix((f.q or "").lower()), **extra)
    matching = f"FROM products p WHERE {' AND '.join([match.condition, *where])}"
    ranked = (
        f"SELECT id, price, created_at, {match.tier} AS tier, {match.score} AS score,"
        f" count(*) OVER () AS total {matching}"
        f" ORDER BY {_order(f.sort)} LIMIT {page.page_size} OFFSET {page.offset}"
    )
    quantity = _quantity() if f.store_id else "NULL::integer"
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT p.id, p.title, p.description, p.price, p.category, p.store_id,"
            f" {quantity} AS quantity, hits.total FROM ({ranked}) hits"
            f" JOIN products p ON p.id = hits.id ORDER BY {_order(f.sort, 'hits.')}",
            params,
        ).fetchall()
        return counted_page(conn, SearchHit, rows, matching, params, page)


def _order(sort: str, of: str = "") -> str:
    return ", ".join(of + key for key in SORTS[sort])


def _filters(f: SearchFilter) -> tuple[list[str], dict[str, Any]]:
    where, params = listed_products_matching(f, LISTED_OR_STOCKED)
    if f.store_id and f.in_stock:
        where.append(f"{_quantity()} > 0")
    if f.near:
        near = f"SELECT id FROM stores WHERE {distance_km_sql()} <= %(radius)s"
        stocked = f"SELECT product_id FROM stock WHERE store_id IN ({near})"
        where.append(f"(store_id IN ({near}) OR id IN ({stocked}))")
    lat, lng = f.near or (0.0, 0.0)
    return where, {**params, "lat": lat, "lng": lng, "radius": f.radius_km}


LISTED_OR_STOCKED = (
    "(store_id = %(store_id)s"
    " OR id IN (SELECT product_id FROM stock WHERE store_id = %(store_id)s))"
)
"""A store's products in a search: those it lists and those it keeps stock of."""


def _quantity() -> str:
    return (
        "coalesce((SELECT s.on_hand - s.reserved FROM stock s"
        " WHERE s.store_id = %(store_id)s AND s.product_id = p.id), 0)"
    )


def _like_prefix(text: str) -> str:
    """An ILIKE pattern for 'starts with `text`', its wildcards taken literally."""
    return re.sub(r"([\\%_])", r"\\\1", text) + "%"
