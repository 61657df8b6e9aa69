"""A good configuration loads into the router's domain objects, with the hours people expect."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from callrouter.config import AppConfig, check_config, load_config, summarize
from callrouter.domain.hours import END_OF_DAY, TimeRange
from callrouter.domain.kpis import DEFAULT_TARGETS, Metric, ServiceLevelFormula
from callrouter.domain.kpis import Target as KpiTarget
from callrouter.domain.model import EntryNumber, Target, TargetKind, Telephonist
from callrouter.sandbox.configs import sandbox_config

EXAMPLE = Path(__file__).parents[2] / "configs" / "callrouter.example.yaml"
CPH = ZoneInfo("Europe/Copenhagen")


def local(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=CPH)


@pytest.fixture(scope="module")
def example() -> AppConfig:
    return load_config(EXAMPLE)


def test_the_example_config_passes_check_config_when_the_secret_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALLROUTER_AMI_SECRET", "s3cret")
    assert [] == check_config(EXAMPLE)


def test_check_config_can_skip_the_secret_for_a_machine_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CALLROUTER_AMI_SECRET", raising=False)
    assert [] == check_config(EXAMPLE, check_secret=False)


def test_the_summary_line_counts_what_was_loaded_and_says_if_the_switchboard_is_open(
    example: AppConfig,
) -> None:
    monday_noon = local(2026, 11, 23, 12, 0)
    sunday_noon = local(2026, 11, 22, 12, 0)
    expected = "ok: 5 telephonists, 13 departments, 15 entry numbers; switchboard open now: "
    assert expected + "yes" == summarize(example, monday_noon)
    assert expected + "no" == summarize(example, sunday_noon)


def test_the_example_has_the_twelve_randers_departments_plus_borgerservice(
    example: AppConfig,
) -> None:
    expected = [
        "borgerservice", "jobcenter", "family", "payments", "daycare", "benefits", "visitation",
        "environment", "ppr", "addiction", "children-schools", "culture", "cemetery",
    ]  # fmt: skip
    assert expected == [d.id for d in example.switchboard.departments]
    assert "Local/dept-ppr@departments/n" == example.switchboard.department("ppr").function_number


def test_jobcenter_is_open_thursday_afternoon_and_closed_friday_afternoon(
    example: AppConfig,
) -> None:
    hours = example.switchboard.department("jobcenter").hours
    assert hours.is_open(local(2026, 11, 26, 16, 0))  # Thu 16:00: Thursday is 09:00-17:00
    assert not hours.is_open(local(2026, 11, 27, 16, 0))  # Fri 16:00: Friday ends 14:30
    assert hours.is_open(local(2026, 11, 27, 14, 29))
    assert not hours.is_open(local(2026, 11, 27, 14, 30))
    assert hours.is_open(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # Thu 16:00 in Copenhagen


def test_jobcenter_is_closed_on_a_danish_public_holiday(example: AppConfig) -> None:
    hours = example.switchboard.department("jobcenter").hours
    assert hours.is_open(local(2026, 12, 18, 10, 0))  # an ordinary Friday
    assert not hours.is_open(local(2026, 12, 25, 10, 0))  # Christmas Day, a Friday
    assert "closed" == hours.describe_day(date(2026, 12, 25))


def test_extra_closed_dates_close_the_day(example: AppConfig) -> None:
    hours = example.switchboard.hours
    assert hours.is_open(local(2026, 12, 17, 10, 0))  # Thursday before
    assert not hours.is_open(local(2026, 12, 24, 10, 0))  # Christmas Eve, listed in extra_closed


def test_a_department_without_its_own_holidays_uses_the_switchboards(example: AppConfig) -> None:
    family = example.switchboard.department("family").hours
    assert not family.is_open(local(2026, 12, 24, 10, 0))  # the switchboard's extra_closed
    assert not family.is_open(local(2027, 3, 25, 10, 0))  # Maundy Thursday 2027: years expand


def test_a_closure_closes_the_department_for_its_time_only(example: AppConfig) -> None:
    hours = example.switchboard.department("jobcenter").hours
    assert hours.is_open(local(2026, 11, 23, 12, 59))
    assert not hours.is_open(local(2026, 11, 23, 13, 0))  # "all at a meeting" 13:00-15:00
    assert not hours.is_open(datetime(2026, 11, 23, 12, 30, tzinfo=UTC))  # 13:30 local: naive
    assert hours.is_open(local(2026, 11, 30, 13, 30))  # the Monday after


def test_the_switchboard_opens_at_eight_and_follows_borgerservice_in_the_evening(
    example: AppConfig,
) -> None:
    hours = example.switchboard.hours
    assert not hours.is_open(local(2026, 11, 23, 7, 59))
    assert hours.is_open(local(2026, 11, 23, 8, 0))
    assert hours.is_open(local(2026, 11, 23, 17, 59))
    assert not hours.is_open(local(2026, 11, 23, 18, 0))
    assert not hours.is_open(local(2026, 11, 28, 10, 0))  # Saturday


def test_entry_numbers_route_to_the_switchboard_or_a_department(example: AppConfig) -> None:
    board = example.switchboard
    assert EntryNumber("4589151516", None, "en") == board.entry("4589151516")
    assert EntryNumber("4589151602", "jobcenter", None) == board.entry("4589151602")


def test_telephonists_keep_their_languages_and_start_state(example: AppConfig) -> None:
    first, last = example.switchboard.telephonists[0], example.switchboard.telephonists[-1]
    expected_first = Telephonist(
        "tel1", "Søren Ærø", "Local/tel1@phones/n", frozenset({"da", "en"})
    )
    assert expected_first == first
    assert (False, "Local/tel5@phones/n") == (last.logged_in_at_start, last.dial)


def test_routing_policy_turns_four_rings_of_five_seconds_into_twenty_seconds(
    example: AppConfig,
) -> None:
    policy = example.switchboard.policy
    assert 20 == policy.ring_seconds
    overflow = Target(
        TargetKind.DEPARTMENT, "borgerservice", "Local/dept-borgerservice@departments/n"
    )
    assert overflow == policy.overflow_target
    assert ("custom/switchboard-closed", None) == (
        policy.after_hours.announcement,
        policy.after_hours.target,
    )


def test_paths_in_the_config_are_relative_to_the_config_file(example: AppConfig) -> None:
    assert EXAMPLE.parent.absolute() / "callrouter.sqlite3" == example.database
    assert ("console", "info", "Europe/Copenhagen") == (
        example.log_format,
        example.log_level,
        example.timezone,
    )


MINIMAL = """\
timezone: Europe/Copenhagen
pbx: {kind: asterisk, username: callrouter, secret_file: secrets/ami.txt}
switchboard:
  hours: {mon-thu: ["08:00-16:00"], fri: ["22:00-02:00"], sat: ["10:00-24:00"]}
telephonists:
  - {id: tel1, name: Tel One, dial: Local/tel1@phones/n}
routing:
  overflow_target: {dial: "PJSIP/2000"}
  after_hours: {target: {dial: "PJSIP/2001", name: duty-line}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "callrouter.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_secret_file_is_read_relative_to_the_config_and_never_shown(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "ami.txt").write_text("hunter2\n", encoding="utf-8")
    config = load_config(write(tmp_path, MINIMAL))
    assert "hunter2" == config.pbx.secret()
    assert tmp_path.absolute() / "secrets" / "ami.txt" == config.pbx.secret_file
    assert "hunter2" not in repr(config)
    assert "hunter2" not in str(config.pbx)


def test_ranges_may_end_at_24_00_and_run_past_midnight(tmp_path: Path) -> None:
    hours = load_config(write(tmp_path, MINIMAL)).switchboard.hours
    assert (TimeRange(time(10), END_OF_DAY),) == hours.weekly[5]
    assert hours.is_open(local(2026, 11, 28, 1, 59))  # Saturday 01:59, from Friday 22:00
    assert not hours.is_open(local(2026, 11, 28, 2, 0))
    assert hours.is_open(local(2026, 11, 28, 23, 59, 59))  # Saturday until 24:00
    assert not hours.is_open(local(2026, 11, 29, 0, 0))  # Sunday: not given, closed
    assert not hours.is_closed_day(date(2026, 12, 25))  # no holidays section: no holidays


def test_dial_targets_are_named_by_name_or_by_their_dial_string(tmp_path: Path) -> None:
    policy = load_config(write(tmp_path, MINIMAL)).switchboard.policy
    assert Target(TargetKind.DIAL, "PJSIP/2000", "PJSIP/2000") == policy.overflow_target
    assert Target(TargetKind.DIAL, "duty-line", "PJSIP/2001") == policy.after_hours.target
    assert (4, 120.0, 3, 5.0) == (
        policy.rings_per_attempt,
        policy.max_wait_seconds,
        policy.pause_after_misses,
        policy.ring_cadence_seconds,
    )


def test_the_sandbox_config_used_by_the_end_to_end_tests_loads(tmp_path: Path) -> None:
    raw = sandbox_config(tmp_path / "log.sqlite3", telephonists=5)
    path = write(tmp_path, yaml.safe_dump(raw, allow_unicode=True))
    config = load_config(path)
    assert (5, tmp_path / "log.sqlite3") == (len(config.switchboard.telephonists), config.database)


def test_the_example_holds_reports_to_the_lulea_targets(example: AppConfig) -> None:
    """Supervisors see the published targets (DOMAIN.md) as the default KPI configuration."""
    kpis = example.kpis
    assert (3, 300.0, 5.0, 24 * 3600.0) == (
        kpis.answer_within_rings,
        kpis.answer_within_seconds,
        kpis.short_abandon_seconds,
        kpis.repeat_window_seconds,
    )
    assert ServiceLevelFormula.ANSWERED_AND_LONG_ABANDONS == kpis.formula
    assert DEFAULT_TARGETS == kpis.targets
    assert 5.0 == kpis.ring_cadence_seconds


def test_kpi_settings_come_from_the_file_and_default_to_lulea(tmp_path: Path) -> None:
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    del raw["kpis"]
    raw["kpis"] = {
        "service_level_formula": "answered",
        "targets": [
            {"metric": "abandonment_rate", "scope": "jobcenter", "at_most": 0.2},
        ],
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    kpis = load_config(path).kpis
    assert ServiceLevelFormula.ANSWERED == kpis.formula
    assert (KpiTarget(Metric.ABANDONMENT_RATE, "jobcenter", None, 0.2),) == kpis.targets
    del raw["kpis"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert DEFAULT_TARGETS == load_config(path).kpis.targets
