"""Performs saga jobs: claimed from Postgres, retried with exponential backoff, parked at last.

The backoff doubles up to the executor's cap, or the saga's own `max_backoff_s` if lower.

Any number of executors may run (threads here, processes beside the Faust workers): jobs
are claimed with SKIP LOCKED, so each runs in one place at a time. A NOTIFY on every new
job wakes idle workers at once; otherwise they sleep until the next job falls due.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import psycopg
from psycopg_pool import ConnectionPool

from projections.sagas.base import Backoff, GiveUp, Saga
from read_model.sql import saga_jobs
from read_model.sql.saga_jobs import SagaJob
from streams.supervision import Runtime, supervise, wake_on_notify

log = logging.getLogger(__name__)
IDLE_SECONDS = 1.0


def described(failure: Exception) -> str:
    """What a job's failure records: a GiveUp's own reason, else the error and its type."""
    if isinstance(failure, GiveUp):
        return str(failure) or type(failure).__name__
    return f"{type(failure).__name__}: {failure}"


class SagaExecutor(Runtime):
    """A few worker threads performing the jobs of these sagas, and one listener waking them."""

    def __init__(
        self,
        pool: ConnectionPool,
        sagas: Sequence[Saga],
        *,
        workers: int = 4,
        backoff_s: float = 1.0,
        max_backoff_s: float = 300.0,
        lease_s: float = 60.0,
    ) -> None:
        self.pool = pool
        self.sagas = {saga.name: saga for saga in sagas}
        self.workers = workers
        self.backoff = Backoff(backoff_s, max_backoff_s)
        self.lease_s = lease_s
        self.stopping = threading.Event()
        self.wakeup = threading.Condition()
        self.generation = 0
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """The listener and the workers, each restarted with backoff when it fails (Postgres
        unreachable): a job's own failure is its retry or parking, never the worker's."""
        tasks = [self._listen] + [self._work] * self.workers
        for number, task in enumerate(tasks):
            name = f"sagas-{number}"
            thread = threading.Thread(
                target=supervise, args=(name, task, self.stopping), name=name, daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        self._wake()
        for thread in self.threads:
            thread.join(timeout=IDLE_SECONDS * 3)

    def run_once(self) -> bool:
        """Perform one due job, if any; True if one was found."""
        job = saga_jobs.claim(self.pool, list(self.sagas), self.lease_s)
        if job is None:
            return False
        self._perform(job)
        return True

    def retry_delay(self, saga: Saga, attempts: int, failure: Exception) -> float | None:
        """The wait before the next attempt of a job of `saga` that failed its `attempts`-th
        try, or None when the job is parked: it gave up, or that was its last attempt."""
        if isinstance(failure, GiveUp) or attempts >= saga.max_attempts:
            return None
        return self.backoff.after(attempts, saga)

    def _perform(self, job: SagaJob) -> None:
        saga = self.sagas[job.saga]
        try:
            outcome = saga.perform(job.payload)
        except Exception as failure:
            delay = self.retry_delay(saga, job.attempts, failure)
            error = described(failure)
            if delay is None:
                self._park(saga, job, error)
            else:
                log.warning(
                    "saga %s job %s failed (%s); retry in %.2fs", job.saga, job.key, error, delay
                )
                saga_jobs.retry_later(self.pool, job.id, error, delay)
        else:
            log.info("saga %s job %s: %s", job.saga, job.key, outcome)
            saga_jobs.done(self.pool, job.id, outcome)

    def _park(self, saga: Saga, job: SagaJob, error: str) -> None:
        """Record the failure where it belongs, then leave the job for an operator."""
        log.error(
            "saga %s job %s parked after %d attempts: %s", job.saga, job.key, job.attempts, error
        )
        saga.give_up(job.payload, error)
        saga_jobs.park(self.pool, job.id, error)

    def _work(self) -> None:
        while not self.stopping.is_set():
            seen = self.generation
            if self.run_once():
                continue
            due = saga_jobs.seconds_to_next(self.pool, list(self.sagas))
            with self.wakeup:
                if self.generation == seen and not self.stopping.is_set():
                    self.wakeup.wait(IDLE_SECONDS if due is None else min(due, IDLE_SECONDS))

    def _listen(self) -> None:
        """On a connection of its own: LISTEN holds it for as long as the executor runs."""
        conninfo = self.pool.conninfo
        with psycopg.connect(
            conninfo() if callable(conninfo) else conninfo, autocommit=True
        ) as conn:
            wake_on_notify(conn, saga_jobs.CHANNEL, self._wake, self.stopping)

    def _wake(self) -> None:
        with self.wakeup:
            self.generation += 1
            self.wakeup.notify_all()
