"""CPU accounting for benchmarks: per process kind, Postgres backends counted to their client.

The box's speed moves from day to day, so every figure comes with `probe_ms`: the CPU time
of a fixed pure-Python loop, sampled while the load runs (~30 ms on a quiet day). Figures
scaled by 30 / probe compare across days.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import psycopg

QUIET_PROBE_MS = 30.0
TICKS = os.sysconf("SC_CLK_TCK")
Kind = Callable[[str], str | None]
"""What kind of process a command line is (api, runner, ...), or None to leave it out."""


def probe_ms() -> float:
    """CPU milliseconds of `x = 0; for i in range(1_000_000): x += i`."""
    started = time.process_time()
    x = 0
    for i in range(1_000_000):
        x += i
    return (time.process_time() - started) * 1000


class Probe:
    """Samples `probe_ms` once a second in a thread while the load runs; the median."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append(probe_ms())

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) if self.samples else probe_ms()


class ProbeProcess:
    """`Probe` in a process of its own, for a client that times requests from Python
    threads: a probe thread would hold their GIL while it loops."""

    def __enter__(self) -> ProbeProcess:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_probe_until_told, args=(child,))
        self._process.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._conn.send("stop")
        self.median_ms: float = self._conn.recv()
        self._process.join()


def _probe_until_told(conn: Connection) -> None:
    samples = []
    while not conn.poll(1.0):
        samples.append(probe_ms())
    conn.recv()
    conn.send(statistics.median(samples) if samples else probe_ms())


def cpu_seconds(kind: Kind, database_url: str) -> dict[str, float]:
    """CPU seconds used so far by each kind of process; a Postgres backend counts as
    `<kind>+pg` of the process holding its connection (found by the client's port)."""
    owners = _backend_owners(database_url)
    totals: dict[str, float] = {}
    for pid, cmdline, seconds in _processes():
        owner = owners.get(pid)
        name = f"{kind(owner)}+pg" if owner is not None and kind(owner) else kind(cmdline)
        if name:
            totals[name] = totals.get(name, 0.0) + seconds
    return totals


def stack_kind(cmdline: str) -> str | None:
    """Which part of the stack a command line is; a Postgres backend counts to its client."""
    for marker, kind in (
        ("bazaar api", "api"),
        ("multiprocessing", "api"),
        ("bazaar runner", "runner"),
        ("bazaar sagas", "sagas"),
        ("postgres", "postgres"),
        ("redis-server", "redis"),
        ("wrk ", "wrk"),
    ):
        if marker in cmdline:
            return kind
    return None


def per_operation_ms(
    before: dict[str, float], after: dict[str, float], operations: int, probe: float
) -> dict[str, dict[str, float]]:
    """CPU ms per operation by kind, raw and scaled to a quiet box (30 / probe ms)."""
    scale = QUIET_PROBE_MS / probe
    used = {name: after[name] - before.get(name, 0.0) for name in after}
    return {
        name: {
            "raw": round(seconds * 1000 / operations, 3),
            "scaled": round(seconds * 1000 / operations * scale, 3),
        }
        for name, seconds in sorted(used.items())
        if seconds > 0
    }


def _processes() -> list[tuple[int, str, float]]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found.append((int(stat.parent.name), cmdline, (int(fields[11]) + int(fields[12])) / TICKS))
    return found


def _backend_owners(database_url: str) -> dict[int, str]:
    """Each Postgres backend's pid -> the command line of the local process it serves."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid, client_port FROM pg_stat_activity WHERE client_port > 0"
        ).fetchall()
    by_port = _socket_inodes_by_port()
    by_inode = _pids_by_socket_inode()
    owners = {}
    for backend, port in rows:
        pid = by_inode.get(by_port.get(port, -1))
        if pid is not None:
            owners[backend] = _cmdline(pid)
    return owners


def _socket_inodes_by_port() -> dict[int, int]:
    inodes = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            inodes[int(fields[1].rsplit(":", 1)[1], 16)] = int(fields[9])
    return inodes


def _pids_by_socket_inode() -> dict[int, int]:
    pids = {}
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            pids[int(target[8:-1])] = int(fd.parent.parent.name)
    return pids


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
