"""The `bazaar` command: one-command start on a bare machine, and the admin tasks."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import psycopg
import pytest

from bazaar.cli import main
from tests.http_driver import after
from tests.stacks import TEST_REDIS_URL, a_built_stack, a_fresh_database, a_redis_server, free_port
from tests.waiting import poll_until
from write_model.users import User

pytestmark = pytest.mark.e2e
BAZAAR = str(Path(sys.executable).with_name("bazaar"))


@pytest.fixture
def bare_environment(tmp_path: Path) -> dict[str, str]:
    """No DATABASE_URL or REDIS_URL: `bazaar up` must bring its own servers."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(BAZAAR_DATA_DIR=str(tmp_path / "data"), BAZAAR_PORT=str(free_port()))
    env.update(PASSWORD_HASH_MEMORY_KIB="8192", PASSWORD_HASH_TIME_COST="1")
    return env


@pytest.fixture
def bazaar_up(bare_environment: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`bazaar up` running; yields its URL and what it printed so far."""
    with bazaar_up_running(bare_environment, tmp_path / "up.log") as started:
        yield started


@contextmanager
def bazaar_up_running(env: dict[str, str], log: Path, *args: str) -> Iterator[tuple[str, str]]:
    with log.open("w") as out:
        process = subprocess.Popen(
            [BAZAAR, "up", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{env['BAZAAR_PORT']}"
    try:
        poll_until(lambda: _ready(url) or process.poll() is not None, timeout=120)
        assert process.poll() is None, log.read_text()
        yield url, log.read_text()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/ready").status_code == 200
    except httpx.HTTPError:
        return False


def test_bazaar_up_serves_seeded_demo_data_a_printed_login_can_order_from(
    bazaar_up: tuple[str, str],
) -> None:
    url, printed = bazaar_up
    assert re.search(r"^  artisan@\S+\s+\S+\s+\S+\s+shop owner: owns stores", printed, re.M)
    assert f"API        {url}  (try it: {url}/docs; shop owners: {url}/dashboard)" in printed
    assert re.search(r"^  Postgres   postgresql://\S+  \(embedded, data in ", printed, re.M)
    assert re.search(r"^  Data       3 stores, 60 listed products$", printed, re.M), printed

    with httpx.Client(base_url=url) as client:
        order, _ = an_order_of_the_printed_customer(client, printed)

    assert order.status_code == 201, order.text
    assert order.json()["status"] == "confirmed"


def test_bazaar_up_on_kafka_serves_orders_through_its_streams(
    database_env: dict[str, str], tmp_path: Path
) -> None:
    with a_redis_server(tmp_path) as own_redis:
        env = {**os.environ, **database_env, "REDIS_URL": own_redis.url}
        env.update(BAZAAR_DATA_DIR=str(tmp_path / "data"), BAZAAR_PORT=str(free_port()))
        placed, seen = an_order_on_kafka(env, tmp_path / "up.log")

    assert placed.status_code == 201, placed.text
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "confirmed"
    assert (tmp_path / "data" / "tansu.log").exists(), "a broker of its own"


def an_order_on_kafka(env: dict[str, str], log: Path) -> tuple[httpx.Response, httpx.Response]:
    """An order placed on `bazaar up --streams kafka`, and the order read after it."""
    with (
        bazaar_up_running(env, log, "--streams", "kafka") as (url, printed),
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        placed, auth = an_order_of_the_printed_customer(client, printed)
        seen = client.get(
            f"/api/orders/{placed.json()['id']}",
            headers={**auth, **after(placed)},
        )
    return placed, seen


def an_order_of_the_printed_customer(
    client: httpx.Client, printed: str
) -> tuple[httpx.Response, dict[str, str]]:
    """A demo customer `bazaar up` printed signs in and orders two of a stocked product;
    the answer, and the customer's headers."""
    login = re.search(r"^  (customer@\S+)\s+\S+\s+(\S+)\s+customer: ", printed, re.MULTILINE)
    assert login, printed
    email, password = login.groups()
    token = client.post("/api/auth/login", json={"email": email, "password": password})
    auth = {"Authorization": f"Bearer {token.json()['access']}"}
    store = client.get("/api/stores").json()["results"][0]
    inventory = f"/api/stores/{store['id']}/inventory"
    stock = poll_until(lambda: client.get(inventory).json()["results"], timeout=30, every=0.2)
    order = client.post(
        "/api/orders",
        json={
            "store_id": store["id"],
            "items": [{"product_id": stock[0]["product_id"], "quantity": 2}],
        },
        headers=auth,
    )
    return order, auth


def test_bazaar_up_on_a_taken_port_says_so_in_one_line_before_starting_anything(
    bare_environment: dict[str, str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**bare_environment, "BAZAAR_PORT": str(port)}

        refused = bazaar_command("up", env=env)

    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"bazaar: cannot serve on 127.0.0.1:{port} (Address already in use); "
        "stop what uses it, or set BAZAAR_PORT"
    ]
    assert not Path(env["BAZAAR_DATA_DIR"]).exists(), "nothing was started"


def test_the_port_to_serve_on_is_an_option_too(bare_environment: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        refused = bazaar_command("up", "--port", str(port), env=bare_environment)

    assert refused.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in refused.stderr


def test_version_names_the_installed_release() -> None:
    shown = bazaar_command("--version", env={})

    assert shown.returncode == 0
    assert re.fullmatch(r"bazaar \d+\.\d+\.\d+\n", shown.stdout), shown.stdout


def test_other_commands_find_the_servers_bazaar_up_started(
    bazaar_up: tuple[str, str], bare_environment: dict[str, str]
) -> None:
    status = bazaar_command("projections", "status", env=bare_environment)

    assert status.returncode == 0, status.stderr
    assert "shop" in status.stdout


def test_api_workers_started_beside_bazaar_up_find_its_servers(
    bazaar_up: tuple[str, str], bare_environment: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    with (tmp_path / "api.log").open("w") as out:
        api = subprocess.Popen(
            [BAZAAR, "api", "--workers", "2", "--port", str(port)],
            env=bare_environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        poll_until(lambda: _ready(url) or api.poll() is not None, timeout=60)
        stores = httpx.get(f"{url}/api/stores")
    finally:
        api.terminate()
        api.wait(timeout=20)

    assert stores.status_code == 200, (tmp_path / "api.log").read_text()
    assert stores.json()["count"] == 3


def test_bazaar_up_with_a_configured_admin_starts_a_seeded_stack_listing_them(
    bare_environment: dict[str, str], tmp_path: Path
) -> None:
    env = {**bare_environment, "BAZAAR_ADMIN_EMAIL": "admin@shop.example"}
    env["BAZAAR_ADMIN_PASSWORD"] = "ops-pass-42"

    with bazaar_up_running(env, tmp_path / "fresh.log") as (url, fresh):
        signed_in = httpx.post(
            f"{url}/api/auth/login", json={"email": "admin@shop.example", "password": "ops-pass-42"}
        )
    with bazaar_up_running(env, tmp_path / "seeded.log") as (_, seeded):
        pass

    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["role"] == "admin"
    for printed in (fresh, seeded):
        assert re.search(r"^  admin@shop\.example\s+\S+", printed, re.MULTILINE), printed
        assert "Traceback" not in printed


@pytest.mark.parametrize("command", ["relay", "worker"])
def test_a_stream_command_without_kafka_bootstrap_says_so_in_one_line(
    database_env: dict[str, str], command: str
) -> None:
    refused = bazaar_command(command, env=database_env)

    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "bazaar: KAFKA_BOOTSTRAP is not set (`bazaar up --streams kafka` starts Tansu)"
    ]


@pytest.fixture
def database_env() -> Iterator[dict[str, str]]:
    with a_fresh_database() as url:
        yield {
            "DATABASE_URL": url,
            "REDIS_URL": TEST_REDIS_URL,
            "JWT_SECRET": "y" * 40,
            "PASSWORD_HASH_MEMORY_KIB": "8192",
            "PASSWORD_HASH_TIME_COST": "1",
        }


def run_bazaar(*args: str, env: dict[str, str], stdin: str = "") -> str:
    result = bazaar_command(*args, env=env, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout


def bazaar_command(
    *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BAZAAR, *args], env={**os.environ, **env}, input=stdin, capture_output=True, text=True
    )


def test_createadmin_creates_an_admin_who_can_sign_in(database_env: dict[str, str]) -> None:
    run_bazaar("migrate", env=database_env)

    printed = run_bazaar(
        "createadmin", "--email", "boss@example.com", env=database_env, stdin="long-pass-1\n"
    )

    assert "admin boss@example.com" in printed
    with a_built_stack(database_env["DATABASE_URL"], database_env["REDIS_URL"]) as stack:
        admin = stack.accounts.authenticate("boss@example.com", "long-pass-1")
        assert admin.role == "admin"
        assert admin.id == User.create_id("boss@example.com")


def test_createadmin_picks_a_free_username_when_its_local_part_is_taken(
    database_env: dict[str, str],
) -> None:
    run_bazaar("migrate", env=database_env)
    run_bazaar(
        "createadmin", "--email", "boss@one.example", env=database_env, stdin="long-pass-1\n"
    )

    printed = run_bazaar(
        "createadmin", "--email", "boss@two.example", env=database_env, stdin="long-pass-2\n"
    )

    assert "admin boss@two.example" in printed
    with a_built_stack(database_env["DATABASE_URL"], database_env["REDIS_URL"]) as stack:
        assert stack.accounts.authenticate("boss-2", "long-pass-2").role == "admin"


@pytest.mark.parametrize(
    ("args", "password", "says"),
    [
        (("--username", "taken"), "long-pass-1", "already registered"),
        ((), "short", "Password needs at least"),
    ],
    ids=["taken username", "weak password"],
)
def test_createadmin_refusal_is_one_line_with_a_failing_exit_code(
    database_env: dict[str, str], args: tuple[str, ...], password: str, says: str
) -> None:
    run_bazaar("migrate", env=database_env)
    run_bazaar(
        "createadmin",
        "--email",
        "a@x.example",
        "--username",
        "taken",
        env=database_env,
        stdin="long-pass-1\n",
    )

    refused = bazaar_command(
        "createadmin", "--email", "b@x.example", *args, env=database_env, stdin=f"{password}\n"
    )

    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0, refused.stderr
    assert says in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_command_without_a_reachable_postgres_says_so_in_one_line(
    database_env: dict[str, str],
) -> None:
    env = {**database_env, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/none"}

    refused = bazaar_command("sagas", "failed", env=env)

    assert refused.returncode == 1
    assert refused.stderr.startswith("bazaar: Postgres is unreachable"), refused.stderr
    assert "Traceback" not in refused.stderr


def test_sagas_failed_with_nothing_parked_says_so(database_env: dict[str, str]) -> None:
    run_bazaar("migrate", env=database_env)

    listed = run_bazaar("sagas", "failed", env=database_env)

    assert listed.startswith("no parked jobs"), listed


def test_progress_written_to_a_log_is_one_finished_line(database_env: dict[str, str]) -> None:
    run_bazaar("migrate", env=database_env)
    run_bazaar("seed", "--products", "40", "--stores", "2", env=database_env)

    rebuilt = subprocess.run(
        [BAZAAR, "projections", "rebuild", "catalogue"],
        env={**os.environ, **database_env},
        capture_output=True,
    )

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert b"\r" not in rebuilt.stderr, "nothing redrawn in place: read as bytes, as a log is"
    lines = rebuilt.stderr.decode().splitlines()
    (bar,) = [line for line in lines if line.startswith("catalogue")]
    done = re.search(r"(\d+)/(\d+)\s+[\d,]+ events/s", bar)
    assert done and done[1] == done[2], bar


def test_createadmin_refuses_a_username_with_a_control_character(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["createadmin", "--email", "boss@example.com", "--username", "boss\x1b[0m"])

    assert refused.value.code == 2
    assert (
        "Invalid value for '--username': must not contain control characters (found U+001B)"
        in capsys.readouterr().err
    )


@pytest.mark.usefixtures("cli_environment")
class TestProjectionCommands:
    def test_status_lists_each_subscription_with_its_views_lag(
        self, server: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        main(["projections", "status"])

        printed = capsys.readouterr().out
        lines = {
            found[1]: found[2].split(", ")
            for found in re.finditer(r"^(\S+)\s+\d+\s+\d+\s+(.+)$", printed, re.MULTILINE)
        }
        assert {"catalogue", "stock", "orders", "stock_alerts"} <= set(lines["shop.sql"])
        assert {"inventory_cache", "suggest", "query_cache"} == set(lines["shop.redis"])
        assert "cards" in lines["cards.sql"]

    def test_verify_finds_nothing_after_a_rebuild(
        self, server: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        main(["projections", "rebuild", "orders"])
        main(["projections", "verify"])

        printed = capsys.readouterr()
        assert re.search(
            r"orders: \d+ events in [\d.]+s \([\d,]+ events/s\), swapped in", printed.out
        )
        assert "DIFFERENT" not in printed.out


def test_verify_exits_with_status_1_when_a_view_differs_from_its_log(
    database_env: dict[str, str],
) -> None:
    run_bazaar("migrate", env=database_env)
    with psycopg.connect(database_env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(
            "INSERT INTO read.orders (id, user_id, store_id, status, total_items, total_price,"
            " created_at, updated_at, version) VALUES (gen_random_uuid(), gen_random_uuid(),"
            " gen_random_uuid(), 'confirmed', 1, 9.50, now(), now(), 1)"
        )

    verified = bazaar_command("projections", "verify", env=database_env)

    assert verified.returncode == 1
    assert "orders: DIFFERENT" in verified.stdout
    assert "  orders extra (live only)" in verified.stdout


def test_completion_scripts_complete_commands_at_every_level() -> None:
    script = run_bazaar("completion", "bash", env={})
    assert "_BAZAAR_COMPLETE=bash_complete" in script

    def completed(*words: str) -> list[str]:
        env = {"_BAZAAR_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(["bazaar", *words])}
        env["COMP_CWORD"] = str(len(words))
        return [line.split(",")[1] for line in run_bazaar(env=env).splitlines()]

    assert completed("proj") == ["projections"]
    assert completed("projections", "re") == ["rebuild"]
    assert "--products" in completed("seed", "--")


def test_a_background_process_serves_its_metrics_on_metrics_port(
    database_env: dict[str, str],
) -> None:
    run_bazaar("migrate", env=database_env)
    port = free_port()
    env = {**os.environ, **database_env, "METRICS_PORT": str(port)}
    executor = subprocess.Popen([BAZAAR, "sagas", "run"], env=env, stderr=subprocess.DEVNULL)
    try:
        served = poll_until(lambda: scraped(f"http://127.0.0.1:{port}/metrics"), timeout=30)
        alive = bazaar_command("healthcheck", env={"METRICS_PORT": str(port)})
    finally:
        executor.terminate()
        executor.wait(timeout=15)
    gone = bazaar_command("healthcheck", env={"METRICS_PORT": str(port)})

    assert "process_cpu_seconds_total" in served
    assert alive.returncode == 0, alive.stderr
    assert gone.returncode == 1
    assert gone.stderr.startswith(f"bazaar: http://127.0.0.1:{port}/metrics does not answer")


def test_the_api_s_healthcheck_probes_its_port(server: str) -> None:
    port = server.rsplit(":", 1)[1]

    assert bazaar_command("healthcheck", "--port", port, env={}).returncode == 0


def scraped(url: str) -> str | None:
    with suppress(httpx.TransportError):
        return httpx.get(url).text
    return None
