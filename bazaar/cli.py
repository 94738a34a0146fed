"""`bazaar up|api|runner|migrate|seed|createadmin|projections|sagas|audit`: every way in.

Only the arguments are read here: what a command needs is imported once it is known, so
`bazaar --help` answers at once. Every option can also come from the environment
(`BAZAAR_<COMMAND>_<OPTION>`, or the variable its help names), and `bazaar completion
SHELL` prints the shell's completion script.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from uuid import UUID

import click

from bazaar.sizes import FULL, Size
from write_model.text import forbidden_character

PROG = "bazaar"
COMPLETION_VARIABLE = "_BAZAAR_COMPLETE"
option = partial(click.option, show_envvar=True)
count = click.IntRange(min=1)


def main(argv: list[str] | None = None) -> None:
    """Run the command line. Called in-process too (tests, the Kafka child processes): a
    command that succeeded returns, where click would exit with status 0."""
    try:
        cli.main(args=argv, prog_name=PROG, auto_envvar_prefix="BAZAAR")
    except SystemExit as exit:
        if exit.code not in (0, None):
            raise


def one_line_of_text(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    """The text rule the API and the domain apply."""
    character = None if value is None else forbidden_character(value)
    if character is not None:
        raise click.BadParameter(
            f"must not contain control characters (found U+{ord(character):04X})"
        )
    return value


def serving(command: Callable[..., None]) -> Callable[..., None]:
    """`--host` and `--port`, read from BAZAAR_HOST and BAZAAR_PORT as the settings are."""
    command = option(
        "--port", type=click.IntRange(1, 65535), envvar="BAZAAR_PORT", help="port [8000]"
    )(command)
    return option("--host", envvar="BAZAAR_HOST", help="address to serve on [127.0.0.1]")(command)


def no_sagas(command: Callable[..., None]) -> Callable[..., None]:
    return option(
        "--no-sagas", is_flag=True, help="record saga jobs, leave them to `bazaar sagas run`"
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(package_name="bazaar", prog_name=PROG, message="%(prog)s %(version)s")
def cli() -> None:
    """Bazaar: orders and stock for a marketplace of local shops, event-sourced."""


@cli.command()
@serving
@option(
    "--streams",
    type=click.Choice(["inprocess", "kafka"]),
    help="kafka: relay + Faust workers (on a local Tansu unless KAFKA_BOOTSTRAP is set)",
)
def up(host: str | None, port: int | None, streams: str | None) -> None:
    """Everything on this machine: the API, the read side and demo data.

    Starts embedded Postgres and Redis where DATABASE_URL and REDIS_URL are not set,
    migrates and seeds, then serves."""
    from bazaar import commands

    with commands.carried_out("up", host, port) as settings:
        commands.up(settings, streams)


@cli.command()
@serving
@option("--with-runner", is_flag=True, help="also run the projections, in this process")
@option("--workers", type=count, default=1, help="API worker processes")
def api(host: str | None, port: int | None, with_runner: bool, workers: int) -> None:
    """Serve the HTTP API."""
    from bazaar import commands

    with commands.carried_out("api", host, port) as settings:
        commands.serve(settings, with_runner=with_runner, workers=workers)


@cli.command()
@no_sagas
def runner(no_sagas: bool) -> None:
    """Run the projections and sagas, in-process."""
    from bazaar import commands

    with commands.carried_out("runner") as settings:
        commands.run_projections(settings, with_sagas=not no_sagas)


@cli.command()
def relay() -> None:
    """Publish the event logs to Kafka (KAFKA_BOOTSTRAP)."""
    from bazaar import commands, kafka

    with commands.carried_out("relay") as settings:
        kafka.run_relay(settings)


@cli.command()
@no_sagas
def worker(no_sagas: bool) -> None:
    """Run the projections and sagas as Faust agents."""
    from bazaar import commands, kafka

    with commands.carried_out("worker") as settings:
        kafka.run_worker(settings, with_sagas=not no_sagas)


@cli.command("fake-provider")
@option("--host", default="127.0.0.1", help="address to serve on")
@option("--port", type=click.IntRange(1, 65535), default=8100, help="port to serve on")
def fake_provider(host: str, port: int) -> None:
    """Serve the bundled fake card provider."""
    from bazaar.fake_provider import serve

    serve(host, port)


@cli.command()
def migrate() -> None:
    """Create or update the event store and the read-model tables."""
    from bazaar import commands, wiring

    with commands.carried_out("migrate") as settings:
        wiring.migrate(settings)


@cli.command()
@option(
    "--products",
    type=count,
    default=FULL.products,
    help="products in all, spread evenly over the stores; each store lists and stocks its share",
)
@option("--stores", type=count, default=FULL.stores, help="stores")
@option("--threads", type=count, default=4, help="writer threads")
def seed(products: int, stores: int, threads: int) -> None:
    """Add a generated data set.

    A second run adds only what is missing."""
    from bazaar import commands

    with commands.carried_out("seed") as settings:
        commands.seed(settings, Size(products, stores), threads)


@cli.command()
@option("--email", required=True, callback=one_line_of_text, help="the admin's e-mail")
@option(
    "--username",
    callback=one_line_of_text,
    help="default: the e-mail's local part (numbered if taken)",
)
def createadmin(email: str, username: str | None) -> None:
    """Create an admin, or promote an account.

    The password is asked for, or read from standard input when it is not a terminal."""
    from bazaar import commands

    with commands.carried_out("createadmin") as settings:
        commands.create_admin(settings, email, username)


@cli.group()
def projections() -> None:
    """Status, rebuild or verify the read models."""


@projections.command()
def status() -> None:
    """Position and lag of each subscription, and the views it feeds."""
    from bazaar import commands

    with commands.carried_out("projections") as settings:
        commands.projection_status(settings)


@projections.command()
@click.argument("names", nargs=-1)
@option("--all", "every", is_flag=True, help="every projection (the default)")
def rebuild(names: tuple[str, ...], every: bool) -> None:
    """Replay the log into fresh tables and swap them in (NAMES: default all)."""
    from bazaar import commands

    with commands.carried_out("projections") as settings:
        commands.rebuild_projections(settings, [] if every else list(names))


@projections.command()
def verify() -> None:
    """Rebuild in scratch space and diff with the live tables; exit 1 on any difference."""
    from bazaar import commands

    with commands.carried_out("projections") as settings:
        commands.verify_projections(settings)


@cli.group()
def sagas() -> None:
    """Side effects that gave up, and retrying them."""


@sagas.command("run")
def run_sagas() -> None:
    """Perform saga jobs (beside `bazaar runner --no-sagas`)."""
    from bazaar import commands

    with commands.carried_out("sagas") as settings:
        commands.run_sagas(settings)


@sagas.command()
def failed() -> None:
    """List the parked jobs."""
    from bazaar import commands

    with commands.carried_out("sagas") as settings:
        commands.list_parked(settings)


@sagas.command()
@click.argument("job_id", type=int)
def retry(job_id: int) -> None:
    """Give a parked job new attempts."""
    from bazaar import commands

    with commands.carried_out("sagas") as settings:
        commands.retry_parked(settings, job_id)


@cli.group()
def audit() -> None:
    """Print history from the event store."""


@audit.command("order")
@click.argument("aggregate_id", metavar="ID", type=click.UUID)
def audit_order(aggregate_id: UUID) -> None:
    """Every event of one order."""
    from bazaar import audit, commands

    with commands.carried_out("audit") as settings:
        audit.audit(settings, "order", aggregate_id)


@audit.command("reservation")
@click.argument("aggregate_id", metavar="ID", type=click.UUID)
def audit_reservation(aggregate_id: UUID) -> None:
    """Every event of one reservation."""
    from bazaar import audit, commands

    with commands.carried_out("audit") as settings:
        audit.audit(settings, "reservation", aggregate_id)


@cli.command()
@option(
    "--port", type=click.IntRange(1, 65535), envvar="BAZAAR_PORT", default=8000, help="the API's"
)
@option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    envvar="METRICS_PORT",
    help="a background process's; when set, probed instead of the API",
)
def healthcheck(port: int, metrics_port: int | None) -> None:
    """Exit 0 when this machine's process answers: a container's liveness check.

    Probes the API's /api/health, or the /metrics a runner, relay, worker or saga
    executor serves on METRICS_PORT."""
    import urllib.request

    url = (
        f"http://127.0.0.1:{metrics_port}/metrics"
        if metrics_port
        else f"http://127.0.0.1:{port}/api/health"
    )
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except OSError as down:
        raise SystemExit(f"bazaar: {url} does not answer ({down})") from None


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the completion script for SHELL.

    E.g. `eval "$(bazaar completion bash)"` in ~/.bashrc."""
    from click.shell_completion import get_completion_class

    script = get_completion_class(shell)
    assert script is not None, "click completes every shell offered"
    click.echo(script(cli, {}, PROG, COMPLETION_VARIABLE).source())
