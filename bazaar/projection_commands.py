"""`bazaar projections status|rebuild|verify`: see, rebuild and check the read models."""

from __future__ import annotations

from bazaar.progress import ProgressBar
from bazaar.wiring import Container
from projections.base import SqlProjection
from projections.inventory import InventoryCacheProjection
from projections.registry import SQL_PROJECTIONS
from read_model.sql.failures import ProjectionFailures
from streams.rebuild import Replayed

CACHE = InventoryCacheProjection.name


def status(container: Container) -> None:
    """Each projection's position in the shop log and how far behind its head it is, then
    every projection (of any log) that cannot apply an event: where it stopped and why."""
    head = container.shop.position()
    print(f"{'projection':18} {'position':>10} {'lag':>8}   (log head {head})")
    for projection in container.projections:
        position = projection.position(container.shop.name)
        print(f"{projection.name:18} {position:>10} {head - position:>8}")
    for failure in ProjectionFailures(container.pool).current():
        print(f"FAILING {failure.describe()}")


def rebuild(container: Container, names: list[str]) -> None:
    """Replay the log into fresh tables (keys) and swap them in while everything keeps running."""
    for kind in chosen(names):
        report(container.rebuilder(ProgressBar(kind.name)).rebuild(kind))
    if not names or CACHE in names:
        report(container.rebuild_cache(ProgressBar(CACHE)))


def report(done: Replayed) -> None:
    print(
        f"\n{done.projection}: {done.events} events in {done.seconds:.1f}s "
        f"({done.events_per_second:,.0f} events/s), swapped in"
    )


def verify(container: Container) -> int:
    """Rebuild into scratch space and list every row that differs; 1 if any does."""
    differing = 0
    for kind in SQL_PROJECTIONS:
        found = container.rebuilder(ProgressBar(kind.name)).verify(kind)
        print(f"\n{kind.name}: {'OK' if not found else 'DIFFERENT'}")
        for table, diff in found.items():
            differing += 1
            for side in ("extra", "missing"):
                for row in diff[side]:
                    print(
                        f"  {table} {side} (live {'only' if side == 'extra' else 'lacks'}): {row}"
                    )
    stores = container.rebuilder().verify_cache(container.inventory_cache)
    print(f"{CACHE}: {'OK' if not stores else 'DIFFERENT'}")
    for store_id, diff in stores.items():
        differing += 1
        print(f"  store {store_id}: sql {diff['sql']} cache {diff['cache']}")
    return 1 if differing else 0


def chosen(names: list[str]) -> list[type[SqlProjection]]:
    known = {kind.name: kind for kind in SQL_PROJECTIONS}
    unknown = [name for name in names if name not in (*known, CACHE)]
    if unknown:
        raise SystemExit(f"unknown projection(s) {unknown}; known: {sorted(known)} and {CACHE}")
    return [known[name] for name in names if name in known] if names else list(SQL_PROJECTIONS)
