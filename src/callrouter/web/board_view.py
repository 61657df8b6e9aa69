"""The wallboard's JSON, built from the router's live state and the live KPI window. Pure.

Caller data goes out as JSON strings exactly as the PBX gave it; the page inserts it as text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from callrouter.domain.kpis import Metric, Target
from callrouter.domain.live_kpis import Counts, LiveKpis, Status, TargetFigure
from callrouter.domain.router import Router
from callrouter.domain.state import CallState, Phase
from callrouter.web.live import phone_state

Json = dict[str, Any]
RISK_WINDOW = timedelta(minutes=15)
SERVICE_LEVELS = (Metric.SERVICE_LEVEL_RINGS, Metric.SERVICE_LEVEL_SECONDS)


def board_view(
    router: Router,
    kpis: LiveKpis,
    phone_since: dict[str, tuple[str, datetime]],
    pbx_connected: bool,
    now: datetime,
) -> Json:
    tz = router.switchboard.hours.tz
    midnight = datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tz)
    waiting = [
        _waiting(router, call, now)
        for call in sorted(router.floor.calls.values(), key=lambda c: c.arrived_at)
        if call.phase in (Phase.WAITING, Phase.RINGING)
    ]
    today = kpis.figures(midnight)
    return {
        "now": now.isoformat(),
        "pbx_connected": pbx_connected,
        "switchboard_open": router.switchboard.hours.is_open(now),
        "ring_cadence_seconds": router.policy.ring_cadence_seconds,
        "timezone": str(tz),
        "waiting": waiting,
        "telephonists": _telephonists(router, phone_since, now),
        "kpis": [
            _kpi(f, kpis.settings.answer_within_rings, kpis.settings.answer_within_seconds)
            for f in today
        ],
        "today": _counts(kpis.counts(midnight)),
        "departments": [
            {
                "id": d.id,
                "name": d.name,
                "function_number": d.function_number,
                "open": router.department_open(d.id, now),
            }
            for d in router.switchboard.departments
        ],
        "alerts": _alerts(pbx_connected, kpis.figures(now - RISK_WINDOW), waiting, kpis),
    }


def _waiting(router: Router, call: CallState, now: datetime) -> Json:
    wait = call.wait_at(now)
    ringing = call.attempt.target if call.phase is Phase.RINGING and call.attempt else None
    return {
        "call_id": call.call_id,
        "caller_number": call.caller_number,
        "caller_name": call.caller_name,
        "entry": call.entry.number,
        "arrived_at": call.arrived_at.isoformat(),
        "wait_seconds": round(wait, 1),
        "rings_heard": router.policy.rings_for(wait),
        "ringing": ringing,
    }


def _telephonists(
    router: Router, phone_since: dict[str, tuple[str, datetime]], now: datetime
) -> list[Json]:
    out = []
    for phone in router.floor.phones.values():
        state = phone_state(phone, router.floor)
        known = phone_since.get(phone.id)
        since = known[1] if known is not None and known[0] == state else now
        out.append({"id": phone.id, "name": phone.telephonist.name, "state": state,
                    "since": since.isoformat(),
                    "seconds_in_state": round((now - since).total_seconds(), 1)})  # fmt: skip
    return out


def kpi_label(target: Target, rings: int, seconds: float) -> str:
    what = {
        Metric.SERVICE_LEVEL_RINGS: f"Answered within {rings} rings",
        Metric.SERVICE_LEVEL_SECONDS: f"Answered within {seconds / 60:g} min",
        Metric.ABANDONMENT_RATE: "Lost while waiting",
    }.get(target.metric, target.metric.value)
    source = f" ({target.source})" if target.source else ""
    return f"{what} · {target.scope}{source}"


def _kpi(measured: TargetFigure, rings: int, seconds: float) -> Json:
    target = measured.target
    return {
        "label": kpi_label(target, rings, seconds),
        "metric": target.metric.value,
        "scope": target.scope,
        "figure": measured.figure,
        "target": target.at_least if target.at_least is not None else target.at_most,
        "bound": "at_least" if target.at_least is not None else "at_most",
        "status": measured.status.value,
        "offered": measured.offered,
    }


def _counts(counts: Counts) -> Json:
    return {"offered": counts.offered, "answered": counts.answered,
            "abandoned": counts.abandoned, "overflowed": counts.overflowed}  # fmt: skip


def _alerts(
    pbx_connected: bool, recent: list[TargetFigure], waiting: list[Json], kpis: LiveKpis
) -> list[str]:
    """The PBX link lost; a service level short of its target over the last 15 minutes; or a
    caller already past the rings target (their answer will miss it)."""
    alerts = [] if pbx_connected else ["PBX connection lost: calls are not being routed"]
    settings = kpis.settings
    for measured in recent:
        if measured.target.metric in SERVICE_LEVELS and measured.status in (
            Status.AMBER,
            Status.RED,
        ):
            label = kpi_label(measured.target, settings.answer_within_rings,
                              settings.answer_within_seconds)  # fmt: skip
            figure, goal = measured.figure or 0.0, measured.target.at_least or 0.0
            alerts.append(f"Service level at risk: {label} {figure:.0%} over the last 15 min "
                          f"(target {goal:.0%})")  # fmt: skip
    rings = settings.answer_within_rings
    late = [w for w in waiting if w["rings_heard"] > rings]
    if late:
        longest = max(w["rings_heard"] for w in late)
        alerts.append(f"Service level at risk: {len(late)} waiting caller(s) past {rings} "
                      f"rings (longest {longest} rings)")  # fmt: skip
    return alerts
