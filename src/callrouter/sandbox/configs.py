"""Configurations for the sandbox dialplan: phones tel1..tel5, function numbers dept-<id>."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Copenhagen")
ALL_DAY = {"mon-sun": ["00:00-24:00"]}


def hours_closed_now() -> dict[str, list[str]]:
    """One hour, twelve hours away from now: closed for the whole run."""
    start = (datetime.now(TZ) + timedelta(hours=12)).replace(minute=0)
    end = start + timedelta(hours=1)
    return {"mon-sun": [f"{start:%H}:00-{end:%H}:00"]}


def telephonist(n: int, languages: tuple[str, ...] = ("da",)) -> dict[str, Any]:
    return {
        "id": f"tel{n}",
        "name": f"Telephonist {n}",
        "dial": f"Local/tel{n}@phones/n",
        "languages": list(languages),
    }


def department(department_id: str, name: str) -> dict[str, Any]:
    return {
        "id": department_id,
        "name": name,
        "hours": ALL_DAY,
        "function_number": f"Local/dept-{department_id}@departments/n",
    }


def sandbox_config(db: Path, telephonists: int = 2, **routing: Any) -> dict[str, Any]:
    """Open all day; tel2 also speaks English; overflow to Borgerservice."""
    return {
        "timezone": "Europe/Copenhagen",
        "pbx": {
            "kind": "asterisk",
            "host": "127.0.0.1",
            "port": 5038,
            "username": "callrouter",
            "secret_env": "CALLROUTER_AMI_SECRET",
        },
        "database": str(db),
        "logging": {"format": "console", "level": "info"},
        "web": {"port": 0},  # any free port: runs never collide on 8080
        "ring_cadence_seconds": 5,
        "switchboard": {"hours": ALL_DAY, "holidays": {"country": "DK"}},
        "entries": [
            {"number": "4589151515", "route": "switchboard", "language": "da"},
            {"number": "4589151516", "route": "switchboard", "language": "en"},
            {"number": "4589151601", "route": "jobcenter"},
        ],
        "telephonists": [
            telephonist(n, ("da", "en") if n == 2 else ("da",)) for n in range(1, telephonists + 1)
        ],
        "departments": [
            department("borgerservice", "Borgerservice"),
            department("jobcenter", "Jobcenter"),
        ],
        "routing": {
            "rings_per_attempt": 4,
            "max_wait_seconds": 120,
            "pause_after_misses": 3,
            "overflow_target": {"department": "borgerservice"},
            "after_hours": {"announcement": "please-try-call-later"},
        }
        | routing,
    }
