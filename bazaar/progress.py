"""Progress of the long-running commands (rebuild, verify, seed) on stderr, through rich.

On a terminal the bar is redrawn in place with its rate and the time left; anywhere else
(a pipe, a log file) nothing is redrawn: the finished bar is written once, as one line.
"""

from __future__ import annotations

import threading
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)


class ProgressBar:
    """`name ━━━━━━━━ done/total  N units/s  0:00:12 left`; safe to call from several threads."""

    def __init__(self, name: str, unit: str = "events") -> None:
        self.unit = unit
        self.started = time.perf_counter()
        self._lock = threading.Lock()
        self._task: TaskID | None = None
        self._progress = Progress(
            TextColumn(f"{name:10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )

    def __call__(self, position: int, head: int, applied: int) -> None:
        rate = applied / max(time.perf_counter() - self.started, 1e-9)
        with self._lock:
            if self._task is None:
                self._progress.start()
                self._task = self._progress.add_task("", total=head, rate="")
            self._progress.update(
                self._task, completed=position, total=head, rate=f"{rate:,.0f} {self.unit}/s"
            )

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_: object) -> None:
        """Draw the bar's last state and end its line, so what is printed next starts anew."""
        with self._lock:
            if self._task is not None:
                self._progress.stop()
