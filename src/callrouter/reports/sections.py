"""The report's tables beside the call figures: overflows, transfers, reachability, telephonists,
targets."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence

from callrouter.domain.kpis import Metric, Scope, Target
from callrouter.domain.model import Department
from callrouter.reports.callers import Handoff
from callrouter.reports.figures import nearest_rank, share
from callrouter.reports.model import (
    ALL_CALLS,
    SWITCHBOARD,
    Figures,
    OverflowRow,
    ReachabilityRow,
    ScopeReport,
    TargetCheck,
    TargetResult,
    TelephonistRow,
    TransferRow,
)
from callrouter.reports.queries import AttemptCount

# "Local/dept-jobcenter@departments/n" -> "dept-jobcenter@departments"; "PJSIP/1001" -> "1001";
# also a channel name "Local/dept-x@ctx-0000006a;1" or "PJSIP/1001-00000003".
_DIAL = re.compile(r"^(?:[A-Za-z0-9_]+/)?(?P<address>[^/;]+?)(?:-[0-9a-f]{8})?(?:;[12])?(?:/.*)?$")


def address(dial_or_target: str) -> str:
    """The extension[@context] a dial string, channel name or transfer target points at."""
    match = _DIAL.match(dial_or_target.strip())
    return match["address"] if match else dial_or_target.strip()


def department_of(target: str, departments: Sequence[Department]) -> str | None:
    """The department whose function number the transfer target points at (or is its id)."""
    wanted = address(target)
    for department in departments:
        if wanted in (address(department.function_number), department.id):
            return department.id
    return None


def departments_of_transfers(
    handoffs: Sequence[Handoff], departments: Sequence[Department]
) -> dict[str, str | None]:
    """`department_of` for every distinct transfer target (a few, however many transfers)."""
    targets = {h.target for h in handoffs if h.kind == "transfer"}
    return {target: department_of(target, departments) for target in targets}


def overflow_rows(handoffs: Sequence[Handoff]) -> tuple[OverflowRow, ...]:
    """Each overflowed call once (its first overflow), by reason and target."""
    first: dict[str, Handoff] = {}
    for handoff in handoffs:
        if handoff.kind == "overflow":
            first.setdefault(handoff.call_id, handoff)
    groups: dict[tuple[str, str], list[Handoff]] = defaultdict(list)
    for handoff in first.values():
        groups[(handoff.reason, handoff.target)].append(handoff)
    rows = []
    for (reason, target), group in sorted(groups.items()):
        answered = sum(h.answered for h in group)
        returned = sum(h.returned for h in group)
        rows.append(
            OverflowRow(reason, target, len(group), answered, share(answered, len(group)), returned)
        )
    return tuple(rows)


def transfer_rows(
    handoffs: Sequence[Handoff], departments: Sequence[Department]
) -> tuple[TransferRow, ...]:
    """Transfers by department (or by target when it names no department)."""
    groups: dict[tuple[str, str | None], list[Handoff]] = defaultdict(list)
    resolved = departments_of_transfers(handoffs, departments)
    for handoff in handoffs:
        if handoff.kind == "transfer":
            department = resolved[handoff.target]
            key = (department or handoff.target, department)
            groups[key].append(handoff)
    rows = []
    for (target, department), group in sorted(
        groups.items(), key=lambda g: (g[0][0], g[0][1] or "")
    ):
        shown = next((d.function_number for d in departments if d.id == department), target)
        rows.append(
            TransferRow(
                department=department,
                target=shown,
                transfers=len(group),
                blind=sum(h.how == "blind" for h in group),
                attended=sum(h.how == "attended" for h in group),
                answered=None,
                answered_share=None,
                median_wait_at_department_seconds=None,
                returned_to_switchboard=sum(h.returned for h in group),
            )
        )
    return tuple(rows)


def reachability(
    attempts: Sequence[AttemptCount],
    answer_waits: Sequence[tuple[str, float]],
    handoffs: Sequence[Handoff],
    departments: Sequence[Department],
) -> tuple[ReachabilityRow, ...]:
    """Every configured department, worst first: lowest answered share, then longest median."""
    rung: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    waits: dict[str, list[float]] = defaultdict(list)
    for kind, rung_department, result, count in attempts:
        if kind == "department":
            rung[rung_department] += count
            answered[rung_department] += count if result == "answered" else 0
    for waited_department, wait in answer_waits:
        waits[waited_department].append(wait)
    overflowed, transferred, returned = _handed_in(handoffs, departments)
    rows = []
    known = {d.id: d.name for d in departments}
    for department_id in sorted(set(known) | set(rung)):
        ordered = sorted(waits[department_id])
        rows.append(
            ReachabilityRow(
                department=department_id,
                name=known.get(department_id, department_id),
                rung=rung[department_id],
                answered=answered[department_id],
                answered_share=share(answered[department_id], rung[department_id]),
                median_wait_seconds=nearest_rank(ordered, 0.5),
                p90_wait_seconds=nearest_rank(ordered, 0.9),
                longest_wait_seconds=ordered[-1] if ordered else None,
                overflowed_in=overflowed[department_id],
                transferred_in=transferred[department_id],
                returned_to_switchboard=returned[department_id],
            )
        )
    return tuple(sorted(rows, key=_worst_first))


def _handed_in(
    handoffs: Sequence[Handoff], departments: Sequence[Department]
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Per department: calls overflowed to it, transferred to it, and returned from it."""
    overflowed: dict[str, int] = defaultdict(int)
    transferred: dict[str, int] = defaultdict(int)
    returned: dict[str, int] = defaultdict(int)
    resolved = departments_of_transfers(handoffs, departments)
    for handoff in handoffs:
        department = resolved[handoff.target] if handoff.kind == "transfer" else handoff.target
        if department is not None:
            (overflowed if handoff.kind == "overflow" else transferred)[department] += 1
            returned[department] += handoff.returned
    return overflowed, transferred, returned


def _worst_first(row: ReachabilityRow) -> tuple[int, float, float, str]:
    no_figure = row.answered_share is None
    return (
        int(no_figure),
        row.answered_share or 0.0,
        -(row.median_wait_seconds or 0.0),
        row.department,
    )


def pseudonym(telephonist_id: str) -> str:
    """A stable pseudonym: the same id gives the same name in every report.

    It hides names from casual readers; it is not anonymisation (ids are few and guessable)."""
    digest = hashlib.sha256(f"callrouter-telephonist:{telephonist_id}".encode()).hexdigest()
    return f"tel-{digest[:8]}"


def telephonist_rows(
    attempts: Sequence[AttemptCount],
    pauses: Sequence[tuple[str, str, int]],
    names: bool,
) -> tuple[TelephonistRow, ...]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, telephonist, result, count in attempts:
        if kind != "telephonist":
            continue
        counts[telephonist]["rung"] += count
        counts[telephonist][result] += count
    for telephonist, how, count in pauses:
        counts[telephonist]["pauses"] += count
        counts[telephonist][how] += count
    rows = []
    for telephonist, c in counts.items():
        missed = c["busy"] + c["unavailable"] + c["failed"]
        shown = telephonist if names else pseudonym(telephonist)
        rows.append(
            TelephonistRow(
                shown, c["rung"], c["answered"], c["no_answer"], missed, c["pauses"], c["automatic"]
            )
        )
    return tuple(sorted(rows, key=lambda row: row.telephonist))


METRIC_FIGURE = {
    Metric.SERVICE_LEVEL_RINGS: lambda f: f.service_level_rings,
    Metric.SERVICE_LEVEL_SECONDS: lambda f: f.service_level_seconds,
    Metric.ABANDONMENT_RATE: lambda f: f.abandonment_rate,
    Metric.REPEAT_CALLER_RATE: lambda f: f.repeat_caller_rate,
}


def target_results(
    targets: Sequence[Target],
    switchboard: ScopeReport,
    departments: Sequence[ScopeReport],
    all_calls: ScopeReport,
) -> tuple[TargetResult, ...]:
    by_scope = {SWITCHBOARD: switchboard, ALL_CALLS: all_calls} | {d.scope: d for d in departments}
    results = []
    for target in targets:
        if target.scope == Scope.DEPARTMENTS:
            measured = list(departments)
        else:
            measured = [by_scope[target.scope]] if target.scope in by_scope else []
        checks = tuple(_check(target, scope.scope, scope.figures) for scope in measured)
        verdicts = [c.met for c in checks if c.met is not None]
        results.append(
            TargetResult(
                metric=target.metric.value,
                scope=target.scope,
                at_least=target.at_least,
                at_most=target.at_most,
                source=target.source,
                checks=checks,
                met=all(verdicts) if verdicts else None,
            )
        )
    return tuple(results)


def _check(target: Target, scope: str, figures: Figures) -> TargetCheck:
    figure: float | None = METRIC_FIGURE[target.metric](figures)
    return TargetCheck(scope, figure, target.met_by(figure))
