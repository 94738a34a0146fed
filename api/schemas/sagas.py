"""Parked saga jobs, as operators see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ParkedJobOut(BaseModel):
    id: int
    saga: str
    key: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class ParkedJobsOut(BaseModel):
    results: list[ParkedJobOut]
