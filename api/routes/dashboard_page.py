"""The analytics dashboard: one page, its script and its stylesheet, all served from the package.

The page loads nothing from elsewhere: its Content-Security-Policy allows this origin only.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

from api.errors import ApiError
from api.routing import routes

STATIC = Path(__file__).resolve().parent.parent / "static" / "dashboard"
ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

router = routes("dashboard", include_in_schema=False)


@router.get("/dashboard")
def dashboard_page() -> FileResponse:
    """The dashboard's HTML: sign-in, store picker, charts and tables."""
    return FileResponse(
        STATIC / "index.html", media_type="text/html; charset=utf-8", headers=HEADERS
    )


@router.get("/dashboard/assets/{name}")
def dashboard_asset(name: str) -> FileResponse:
    """The page's script or stylesheet; any other name is a 404."""
    if name not in ASSETS:
        raise ApiError(404, "not_found", f"No dashboard asset named {name!r}.")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers=HEADERS)
