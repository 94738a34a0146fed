"""How big a generated data set is: kept apart so the command line reads it without loading
the seeding machinery."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Size:
    """How many products, spread evenly over how many stores, and a few orders."""

    products: int
    stores: int
    orders: int = 10

    def per_store(self, store: int) -> int:
        """Store `store`'s share: N // M products each, the first N % M stores one more."""
        return self.products // self.stores + (store < self.products % self.stores)


DEMO = Size(products=60, stores=3)
"""What `bazaar up` seeds: small, so start-up stays fast."""
FULL = Size(products=6000, stores=20)
"""What `bazaar seed` makes by default: 300 products listed and stocked by each store."""
