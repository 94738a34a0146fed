"""An API worker loads only what it runs: no PDF drawing, no stream processing."""

from __future__ import annotations

import subprocess
import sys

NEVER_IN_THE_API = ("reportlab", "faust", "aiokafka")


def test_the_api_factory_loads_no_pdf_or_streaming_library() -> None:
    probe = "import sys, bazaar.asgi; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()

    assert [name for name in NEVER_IN_THE_API if name in loaded] == []
