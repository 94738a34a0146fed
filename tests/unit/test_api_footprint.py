"""What a process loads: an API worker no PDF drawing or stream processing, `bazaar --help`
nothing but its arguments."""

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


def test_the_command_line_s_help_loads_no_web_pdf_or_streaming_library() -> None:
    probe = (
        "import sys\nfrom bazaar.cli import main\ntry:\n    main(['--help'])\n"
        "except SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()

    assert [name for name in (*NEVER_IN_THE_API, "fastapi") if name in loaded] == []
