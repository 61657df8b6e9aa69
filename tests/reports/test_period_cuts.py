"""The report groups the calls piece by piece (queries.grouped_calls): the pieces' cuts must
never split a local hour, or an hour's figures would be reported twice."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from callrouter.reports.period import hour_aligned_cuts, named_period, offset_spans

CPH = ZoneInfo("Europe/Copenhagen")


def _cuts(period: str, zone: ZoneInfo) -> tuple[float, float, list[float], list[float]]:
    span = named_period(period, zone)
    low, high = span.start.timestamp(), span.end.timestamp()
    spans = offset_spans(low, high, zone)
    changes = [s.since for s in spans if s.since is not None]
    return low, high, hour_aligned_cuts(low, high, spans), changes


def test_cuts_cover_the_period_in_order_on_local_hour_boundaries() -> None:
    """Every cut of a quarter with a DST change falls on a local full hour."""
    low, high, cuts, changes = _cuts("2026-Q4", CPH)
    assert 1 == len(changes)
    assert (low, high) == (cuts[0], cuts[-1])
    assert sorted(cuts) == cuts
    assert len(set(cuts)) == len(cuts)
    for cut in cuts:
        local = datetime.fromtimestamp(cut, UTC).astimezone(CPH)
        assert (0, 0, 0) == (local.minute, local.second, local.microsecond)


def test_no_cut_near_an_offset_change() -> None:
    """The local hour repeated when the clocks go back stays in one piece."""
    _, _, cuts, changes = _cuts("2026-Q4", CPH)
    assert [] == [cut for cut in cuts[1:-1] if abs(cut - changes[0]) <= 86400]


def test_a_half_hour_zone_is_still_cut_on_its_own_full_hours() -> None:
    """In a zone 5:30 ahead of UTC a cut is a local full hour, not a UTC one."""
    zone = ZoneInfo("Asia/Kolkata")
    _, _, cuts, _ = _cuts("2026-03", zone)
    assert 30 < len(cuts)
    assert {0} == {datetime.fromtimestamp(c, UTC).astimezone(zone).minute for c in cuts}


def test_a_period_shorter_than_a_day_is_one_piece() -> None:
    low = datetime(2026, 5, 4, tzinfo=CPH).timestamp()
    spans = offset_spans(low, low + 3600, CPH)
    assert [low, low + 3600] == hour_aligned_cuts(low, low + 3600, spans)
