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
    """Each subscription of each log: where it is and how far behind the log's head, then
    its views (one just rebuilt may be ahead); then every view that cannot apply an event,
    where it stopped and why."""
    print(f"{'subscription':18} {'position':>10} {'lag':>8}   views")
    for app, subscriptions in container.event_logs():
        head = app.recorder.max_notification_id() or 0
        for subscription in subscriptions:
            position = subscription.position(app.name)
            views = ", ".join(view.name for view in subscription.views)
            label = f"{app.name}.{subscription.name}"
            print(f"{label:18} {position:>10} {head - position:>8}   {views}")
    for failure in ProjectionFailures(container.pool).current():
        print(f"FAILING {failure.describe()}")


def rebuild(container: Container, names: list[str]) -> None:
    """Replay the log into fresh tables (keys) and swap them in while everything keeps running."""
    kinds = chosen(names)
    if kinds:
        label = kinds[0].name if len(kinds) == 1 else "sql views"
        with ProgressBar(label) as bar:
            done = container.rebuilder(bar).rebuild(kinds)
        report(done)
    if not names or CACHE in names:
        with ProgressBar(CACHE) as bar:
            done = container.rebuild_cache(bar)
        report(done)


def report(done: Replayed) -> None:
    print(
        f"{done.projection}: {done.events} events in {done.seconds:.1f}s "
        f"({done.events_per_second:,.0f} events/s), swapped in"
    )


def verify(container: Container) -> int:
    """Rebuild every SQL view into scratch space in one pass and list every row that
    differs; 1 if any does."""
    differing = 0
    with ProgressBar("sql views") as bar:
        found = container.rebuilder(bar).verify(SQL_PROJECTIONS)
    for kind in SQL_PROJECTIONS:
        print(f"{kind.name}: {'OK' if not set(kind.tables) & set(found) else 'DIFFERENT'}")
    for table, diff in found.items():
        differing += 1
        for side in ("extra", "missing"):
            for row in diff[side]:
                print(f"  {table} {side} (live {'only' if side == 'extra' else 'lacks'}): {row}")
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
