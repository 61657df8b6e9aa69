"""The `panel:` section and departments' `tasks:`: read into settings, mistakes with file:line."""

from __future__ import annotations

from pathlib import Path

from callrouter.config import load_config
from callrouter.config.panel import DEFAULT_REASON_CODES, ReasonCodeOption
from callrouter.domain.callbacks import CallbackSettings
from tests.config.test_config_errors import MINIMAL, changed, in_tmp, problems

__all__ = ["in_tmp"]  # the autouse fixture: run in tmp_path with the AMI secret set

PANEL = """\
panel:
  reason_codes:
    - {code: address-change, label: "Adresseændring"}
    - {code: parking, label: Parking permits}
  callbacks: {abandoned_after_seconds: 45, due_within_minutes: 60}
"""
# lines after MINIMAL: +2 reason_codes, +3/+4 codes, +5 callbacks
FIRST = MINIMAL.count("\n") + 1


def test_reason_codes_callback_rules_and_tasks_are_read() -> None:
    text = changed(
        '    hours: {mon-fri: ["09:00-14:30"]}\n',
        '    hours: {mon-fri: ["09:00-14:30"]}\n    tasks: [unemployment, job seekers]\n',
    )
    Path("callrouter.yaml").write_text(text + PANEL, encoding="utf-8")
    config = load_config(Path("callrouter.yaml"))
    expected_codes = (
        ReasonCodeOption("address-change", "Adresseændring"),
        ReasonCodeOption("parking", "Parking permits"),
    )
    assert expected_codes == config.panel.reason_codes
    assert CallbackSettings(45, 60) == config.panel.callbacks
    assert ("unemployment", "job seekers") == config.switchboard.department("jobcenter").tasks


def test_without_a_panel_section_the_example_codes_and_30_minute_callbacks_apply() -> None:
    Path("callrouter.yaml").write_text(MINIMAL, encoding="utf-8")
    config = load_config(Path("callrouter.yaml"))
    assert DEFAULT_REASON_CODES == config.panel.reason_codes
    assert CallbackSettings(20, 30) == config.panel.callbacks


def test_a_reason_code_used_twice_is_reported_on_its_line() -> None:
    text = MINIMAL + PANEL.replace("code: parking", "code: address-change")
    assert [
        f"callrouter.yaml:{FIRST + 3}: panel.reason_codes[1]: "
        "reason code 'address-change' is used twice"
    ] == problems(text)


def test_a_bad_code_and_a_negative_wait_are_reported_with_their_lines() -> None:
    text = MINIMAL + PANEL.replace("code: parking", "code: Parking!").replace("45", "-1")
    found = problems(text)
    assert 2 == len(found)
    assert found[0].startswith(f"callrouter.yaml:{FIRST + 3}: panel.reason_codes[1].code: ")
    assert found[1].startswith(
        f"callrouter.yaml:{FIRST + 4}: panel.callbacks.abandoned_after_seconds: "
    )


def test_an_empty_task_is_refused() -> None:
    text = changed(
        '    hours: {mon-fri: ["09:00-14:30"]}\n',
        '    hours: {mon-fri: ["09:00-14:30"]}\n    tasks: [""]\n',
    )
    [problem] = problems(text)
    assert problem.startswith("callrouter.yaml:14: departments[0].tasks[0]: ")
