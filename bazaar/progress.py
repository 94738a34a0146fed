"""A one-line progress bar on stderr for the long-running commands (rebuild, verify, seed)."""

from __future__ import annotations

import sys
import threading
import time

BAR_WIDTH = 30
REDRAW_EVERY_S = 0.1


class ProgressBar:
    """`name [#####.....] done/total  N units/s`, redrawn in place on stderr.

    Redraws at most every 0.1 s (and always at the end), so a log file stays small;
    safe to call from several threads.
    """

    def __init__(self, name: str, unit: str = "events") -> None:
        self.name = name
        self.unit = unit
        self.started = time.perf_counter()
        self._drawn = 0.0
        self._lock = threading.Lock()

    def __call__(self, position: int, head: int, applied: int) -> None:
        now = time.perf_counter()
        with self._lock:
            if position < head and now - self._drawn < REDRAW_EVERY_S:
                return
            self._drawn = now
            filled = min(BAR_WIDTH * position // head, BAR_WIDTH) if head else BAR_WIDTH
            rate = applied / max(now - self.started, 1e-9)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            sys.stderr.write(
                f"\r{self.name:10} [{bar}] {position}/{head} {rate:,.0f} {self.unit}/s"
            )
            sys.stderr.flush()

    def finish(self) -> None:
        """End the bar's line (if it drew one), so what is printed next starts on its own."""
        if self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
