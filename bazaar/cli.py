"""`bazaar up|api|runner|migrate|seed|createadmin|projections|sagas|audit`: every way in.

Only the arguments are read here: what a command needs is imported once it is known, so
`bazaar --help` answers at once.
"""

from __future__ import annotations

import argparse
from importlib.metadata import version
from uuid import UUID

from bazaar.sizes import FULL
from write_model.text import forbidden_character


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bazaar", description=__doc__)
    parser.add_argument("--version", action="version", version=f"bazaar {version('bazaar')}")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser(
        "up", help="embedded Postgres/Redis if unset, migrate, seed, API + runner"
    )
    start.add_argument(
        "--streams",
        choices=["inprocess", "kafka"],
        help="kafka: relay + Faust workers (on a local Tansu unless KAFKA_BOOTSTRAP is set)",
    )
    api = commands.add_parser("api", help="serve the HTTP API")
    for serving in (start, api):
        serving.add_argument("--host", help="address to serve on (default: BAZAAR_HOST, 127.0.0.1)")
        serving.add_argument(
            "--port", type=int, help="port to serve on (default: BAZAAR_PORT, 8000)"
        )
    api.add_argument("--with-runner", action="store_true", help="also run the projections")
    api.add_argument("--workers", type=int, default=1)
    runner = commands.add_parser("runner", help="run the projections and sagas (in-process)")
    runner.add_argument(
        "--no-sagas", action="store_true", help="record saga jobs, leave them to `sagas run`"
    )
    commands.add_parser("relay", help="publish the event logs to Kafka (KAFKA_BOOTSTRAP)")
    worker = commands.add_parser("worker", help="run the projections and sagas as Faust agents")
    worker.add_argument(
        "--no-sagas", action="store_true", help="record saga jobs, leave them to `sagas run`"
    )
    fake = commands.add_parser("fake-provider", help="serve the bundled fake card provider")
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=8100, help="default %(default)s")
    commands.add_parser("migrate", help="create the event store and read-model tables")
    seeding = commands.add_parser(
        "seed", help="add a generated data set; a second run adds only what is missing"
    )
    seeding.add_argument(
        "--products",
        type=count,
        default=FULL.products,
        help="products in all, spread evenly over the stores; each store lists and stocks its "
        "share (default %(default)s: 300 per store)",
    )
    seeding.add_argument("--stores", type=count, default=FULL.stores, help="default %(default)s")
    seeding.add_argument(
        "--threads", type=count, default=4, help="writer threads (default %(default)s)"
    )
    admin = commands.add_parser("createadmin", help="create an admin (or promote an account)")
    admin.add_argument("--email", required=True, type=text)
    admin.add_argument(
        "--username", type=text, help="default: the e-mail's local part (numbered if taken)"
    )
    views = commands.add_parser("projections", help="status, rebuild or verify the read models")
    view_commands = views.add_subparsers(dest="action", required=True)
    view_commands.add_parser("status", help="position and lag of each projection")
    rebuild = view_commands.add_parser("rebuild", help="replay the log into fresh tables, swap")
    rebuild.add_argument("names", nargs="*", help="projections to rebuild (default: all)")
    rebuild.add_argument("--all", action="store_true", help="every projection (the default)")
    view_commands.add_parser("verify", help="rebuild in scratch space and diff; exit 1 if any")
    sagas = commands.add_parser("sagas", help="side effects that gave up, and retrying them")
    saga_commands = sagas.add_subparsers(dest="action", required=True)
    saga_commands.add_parser("run", help="perform saga jobs (beside `runner --no-sagas`)")
    saga_commands.add_parser("failed", help="list the parked jobs")
    saga_commands.add_parser("retry", help="give a parked job new attempts").add_argument(
        "job_id", type=int
    )
    audits = commands.add_parser("audit", help="print history from the event store")
    audited = audits.add_subparsers(dest="target", required=True)
    audited.add_parser("order", help="every event of one order").add_argument("id", type=UUID)
    audited.add_parser("reservation", help="every event of one reservation").add_argument(
        "id", type=UUID
    )
    args = parser.parse_args(argv)
    from bazaar.commands import run

    run(args)


def count(text: str) -> int:
    """A whole number of at least 1, for argparse."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def text(value: str) -> str:
    """One line of text, for argparse: the text rule the API and the domain apply."""
    character = forbidden_character(value)
    if character is not None:
        raise argparse.ArgumentTypeError(
            f"must not contain control characters (found U+{ord(character):04X})"
        )
    return value
