"""The KPI report: frozen dataclasses every format (json, csv, text, html) renders.

Field names are stable: renderers and the documented JSON/CSV keys use them as they are (new fields
may be added, none renamed). Conventions for every field below:

- Counts are whole calls (or attempts, transfers, events), computed from the per-call rows of the
  call log for the period: a call belongs to the period, day, hour and weekday it *arrived* in,
  on the switchboard's local clock (`ReportPeriod.timezone`).
- A *share* or *rate* is a float 0..1, or ``None`` when its denominator is 0 (no calls): "no
  figure", never 0 %.
- Seconds are floats. Times are aware datetimes (JSON: ISO 8601 with the offset).
- ``None`` in a time or seconds field means "not known from the log"; the field's comment says why.

The rules behind each figure (offered, short abandon, service-level formulas...) are defined in
`callrouter.domain.kpis` and in the README section "KPI definitions".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SWITCHBOARD = "switchboard"  # `ScopeReport.scope` of the switchboard's own calls
ALL_CALLS = "all"  # `ScopeReport.scope` of every call (switchboard + every department)


@dataclass(frozen=True)
class ReportPeriod:
    """The calls reported on: those that arrived in [start, end)."""

    label: str  # as asked: "2026-11", "2026-Q3", "2026", or "<from> .. <to>" for --from/--to
    start: datetime  # inclusive; aware, in `timezone` (a month starts at local midnight)
    end: datetime  # exclusive; aware, in `timezone`
    timezone: str  # the switchboard's IANA zone (config `timezone`), e.g. "Europe/Copenhagen"


@dataclass(frozen=True)
class Method:
    """How the figures were computed: the settings used (config `kpis:`) and the report's rules."""

    source: str  # which calls: "callrouter", "all", or "queue_log:<queue>" (calls.source)
    formula: str  # the service-level formula (`ServiceLevelFormula` value), e.g. "offered"
    formula_text: str  # the same in words: "answered within target ÷ offered"
    answer_within_rings: int  # service level in rings: answered within this many rings
    ring_cadence_seconds: float  # seconds per ring (rings heard = ceil(wait ÷ cadence))
    answer_within_seconds: float  # service level in seconds: answered within this many seconds
    short_abandon_seconds: float  # abandons after less than this are short (exactly = not short)
    repeat_window_seconds: float  # a call is a repeat if the number called within this before
    return_window_seconds: float  # a switchboard call this soon after a hand-off is a return
    downtime_grace_seconds: float  # cause-0 abandons this soon before a downtime count as failed
    telephonist_names: bool  # False: telephonists are shown by a stable pseudonym
    percentile: str  # how median and 90th percentile are taken ("nearest rank")


@dataclass(frozen=True)
class Bucket:
    """One hour of the day, weekday or date of a scope's calls (by arrival, local time)."""

    key: str  # hour "00".."23", weekday "mon".."sun", or date "2026-11-02"
    offered: int  # calls that arrived while open (see `Figures.offered`)
    answered: int
    abandoned: int  # every abandon, short ones included
    short_abandoned: int
    answered_within_rings: int
    answered_within_seconds: int
    service_level_rings: float | None  # answered_within_rings ÷ the formula's denominator
    service_level_seconds: float | None  # answered_within_seconds ÷ the formula's denominator


@dataclass(frozen=True)
class Figures:
    """The call figures of one scope (the switchboard, one department, or all calls)."""

    offered: int  # calls that arrived while open: every outcome except `closed`
    closed: int  # calls that arrived while closed (after-hours route); not offered, not lost
    answered: int  # outcome answered (a telephonist, or the department's function number)
    abandoned: int  # caller hung up before an answer (short ones included), minus downtime ones
    short_abandoned: int  # abandons after less than short_abandon_seconds
    long_abandoned: int  # abandoned - short_abandoned: the calls "lost"
    overflowed: int  # handed to an overflow target because the switchboard could not take them
    failed: int  # the PBX or the controller failed the call; includes `downtime_failed`
    downtime_failed: int  # logged abandoned, but ended in (or just before) a PBX downtime
    answered_within_rings: int  # answered with rings_heard <= answer_within_rings
    answered_within_seconds: int  # answered with wait_seconds <= answer_within_seconds
    service_level_rings: float | None  # answered_within_rings ÷ denominator (Method.formula)
    service_level_seconds: float | None  # answered_within_seconds ÷ denominator
    abandonment_rate: float | None  # long_abandoned ÷ offered
    asa_seconds: float | None  # average speed of answer: mean wait_seconds of answered calls
    median_wait_seconds: float | None  # median wait_seconds of answered calls (nearest rank)
    p90_wait_seconds: float | None  # 90th percentile wait_seconds of answered calls
    longest_wait_seconds: float | None  # longest wait_seconds of an answered call
    longest_abandon_seconds: float | None  # longest time an abandoning caller waited
    repeat_calls: int  # offered calls whose number called within repeat_window_seconds before
    repeat_caller_rate: float | None  # repeat_calls ÷ offered calls with a caller number


@dataclass(frozen=True)
class ScopeReport:
    """The switchboard, one department (its direct-line calls), or all calls."""

    scope: str  # SWITCHBOARD, ALL_CALLS, or a department id
    name: str  # "Switchboard", "All calls", or the department's name from the config
    figures: Figures
    by_hour: tuple[Bucket, ...]  # 24 buckets, "00".."23"
    by_weekday: tuple[Bucket, ...]  # 7 buckets, "mon".."sun"
    by_day: tuple[Bucket, ...]  # one bucket per local date of the period, in order


@dataclass(frozen=True)
class OverflowRow:
    """Calls overflowed for one reason to one target (each call once: its first overflow)."""

    reason: str  # wait_limit, no_telephonist_logged_in, after_hours
    target: str  # department id, or the dial target's name
    calls: int
    answered: int  # answered at the target (its function-number ring was answered)
    answered_share: float | None  # answered ÷ calls
    returned_to_switchboard: int  # of these calls, how many came back (see README)


@dataclass(frozen=True)
class TransferRow:
    """Calls a telephonist transferred to one department (or to another target)."""

    department: str | None  # department id the target belongs to; None: no known department
    target: str  # the PBX's transfer target, e.g. "dept-jobcenter@departments"
    transfers: int  # calls transferred there (a call transferred twice counts in each row)
    blind: int
    attended: int
    answered: int | None  # None: the call log does not see the department's leg of a transfer
    answered_share: float | None  # None when `answered` is None or transfers is 0
    median_wait_at_department_seconds: float | None  # None: not in the call log (see README)
    returned_to_switchboard: int  # of these calls, how many came back (see README)


@dataclass(frozen=True)
class ReachabilityRow:
    """How reachable a department's function number was: the rings the controller made to it."""

    department: str  # department id
    name: str  # department name
    rung: int  # ring attempts on the function number (direct-line calls, overflows, after hours)
    answered: int  # attempts answered
    answered_share: float | None  # answered ÷ rung
    median_wait_seconds: float | None  # median ring time before an answer (nearest rank)
    p90_wait_seconds: float | None  # 90th percentile ring time before an answer
    longest_wait_seconds: float | None
    overflowed_in: int  # calls overflowed to the department
    transferred_in: int  # calls transferred to the department
    returned_to_switchboard: int  # overflowed/transferred calls that came back


@dataclass(frozen=True)
class TelephonistRow:
    """One telephonist's ring attempts and pauses in the period."""

    telephonist: str  # the id, or a stable pseudonym "tel-xxxxxxxx" (Method.telephonist_names)
    rung: int  # ring attempts (calls rung at this telephonist)
    answered: int  # attempts answered
    ring_no_answers: int  # attempts that rang out (result no_answer)
    other_misses: int  # busy, unavailable or failed attempts
    pauses: int  # times paused (by the telephonist, or automatically after missed calls)
    automatic_pauses: int  # of those, the controller's pauses after missed calls in a row


@dataclass(frozen=True)
class DowntimeInterval:
    """A time the controller had no PBX connection or was not running."""

    cause: str  # pbx_disconnected, controller_stopped, controller_starting, not_logged
    detail: str  # the logged reason, or how the interval was inferred
    start: datetime | None  # None: unknown (the controller stopped without a trace)
    last_seen_up: datetime | None  # when start is None: the last sign of life before it
    end: datetime | None  # None: no end in the log (still down, or the log ends)
    seconds: float | None  # end - start; None when either is unknown
    at_most_seconds: float | None  # when start is unknown: end - last_seen_up (an upper bound)
    seconds_in_period: float | None  # the part inside the period; None when start/end unknown


@dataclass(frozen=True)
class Downtime:
    intervals: tuple[DowntimeInterval, ...]  # overlapping the period, in order
    known_seconds: float  # sum of seconds_in_period over intervals with both ends known
    intervals_with_unknown_bounds: int  # intervals whose start or end is not in the log
    reclassified_calls: int  # abandoned calls counted as failed because of a downtime


@dataclass(frozen=True)
class TargetCheck:
    scope: str  # SWITCHBOARD, ALL_CALLS or a department id
    figure: float | None  # the scope's figure for the target's metric
    met: bool | None  # None: no figure (no calls)


@dataclass(frozen=True)
class TargetResult:
    """A configured target (config kpis.targets) and whether the period met it."""

    metric: str  # service_level_rings, service_level_seconds, abandonment_rate, ...
    scope: str  # switchboard, departments, all, or a department id (as configured)
    at_least: float | None
    at_most: float | None
    source: str  # where the target comes from, e.g. "Luleå SM1"
    checks: tuple[TargetCheck, ...]  # one per scope measured ("departments": each department)
    met: bool | None  # every check with a figure met it; None when no check had a figure


@dataclass(frozen=True)
class ReasonRow:
    """One reason code telephonists put on calls (config panel.reason_codes)."""

    code: str
    label: str  # the configured label; the code itself if it is no longer configured
    calls: int  # calls that arrived in the period carrying this code
    share_of_coded: float | None  # calls ÷ calls_coded


@dataclass(frozen=True)
class CallbackResultRow:
    result: str  # reached, left_voicemail, no_answer, wrong_number, caller_got_through
    callbacks: int


@dataclass(frozen=True)
class DeskReport:
    """Reason coding of the period's calls, and the callbacks created in the period."""

    calls_coded: int  # calls that arrived in the period with at least one reason code
    coded_share: float | None  # calls_coded ÷ answered calls (all scopes)
    reasons: tuple[ReasonRow, ...]  # most used first, then by code
    callbacks_created: int  # callback entries created in the period (automatic or promised)
    callbacks_done: int  # closed by a telephonist with a result
    callbacks_done_in_time: int  # of those, closed at or before their due time
    done_in_time_share: float | None  # callbacks_done_in_time ÷ callbacks_done
    callbacks_caller_got_through: int  # closed by themselves: the caller's own call was answered
    callbacks_open: int  # still open when the report was made
    callbacks_overdue: int  # open and past their due time when the report was made
    callbacks_by_result: tuple[CallbackResultRow, ...]  # by result name


@dataclass(frozen=True)
class Report:
    period: ReportPeriod
    method: Method
    generated_at: datetime  # when the report was made (UTC)
    switchboard: ScopeReport  # calls to a switchboard entry number (calls.department NULL)
    departments: tuple[ScopeReport, ...]  # each configured department's direct-line calls
    all_calls: ScopeReport  # every call
    overflows: tuple[OverflowRow, ...]  # by reason, then target
    transfers: tuple[TransferRow, ...]  # by department / target
    returned_to_switchboard: int  # calls back at the switchboard after a transfer or overflow
    reachability: tuple[ReachabilityRow, ...]  # worst first: answered_share, then median wait
    telephonists: tuple[TelephonistRow, ...]  # by telephonist (or pseudonym)
    downtime: Downtime
    targets: tuple[TargetResult, ...]  # in config order
    notes: tuple[str, ...]  # plain-language caveats for this report (e.g. unknown intervals)
    desk: DeskReport | None = None  # None: the call log predates the telephonist desk
