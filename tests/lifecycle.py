"""The order lifecycle as DESIGN.md states it, written out apart from the code that enforces it,
so tests hold that code to the design (every move not listed is refused)."""

from __future__ import annotations

STATUSES = ("confirmed", "processing", "shipped", "delivered", "cancelled", "rejected")
ALLOWED = {
    ("confirmed", "processing"),
    ("confirmed", "cancelled"),
    ("processing", "shipped"),
    ("processing", "cancelled"),
    ("shipped", "delivered"),
}
PATHS = {
    "confirmed": (),
    "processing": ("processing",),
    "shipped": ("processing", "shipped"),
    "delivered": ("processing", "shipped", "delivered"),
    "cancelled": ("cancelled",),
}
"""The moves that take a new (confirmed) order to each status a move can reach."""


def allowed_from(status: str) -> set[str]:
    return {new for old, new in ALLOWED if old == status}
