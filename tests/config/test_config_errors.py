"""A broken configuration is refused with every mistake listed as `file:line: where: what`.

Each test writes MINIMAL (a valid file) with one change and checks the exact line a telephony
engineer would see from `callrouter check-config`. MINIMAL's line numbers are in its comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from callrouter.config import ConfigError, Problem, check_config, load_config

MINIMAL = """\
timezone: Europe/Copenhagen
pbx: {kind: asterisk, username: callrouter, secret_env: CALLROUTER_AMI_SECRET}
switchboard:
  hours: {mon-fri: ["08:00-16:00"]}
  holidays: {country: DK}
telephonists:
  - {id: tel1, name: Tel One, dial: Local/tel1@phones/n}
  - {id: tel2, name: Tel Two, dial: Local/tel2@phones/n}
departments:
  - id: jobcenter
    name: Jobcenter
    function_number: Local/dept-jobcenter@departments/n
    hours: {mon-fri: ["09:00-14:30"]}
    closures: [{start: "2026-11-23T13:00", end: "2026-11-23T15:00"}]
entries:
  - {number: "4589151515", route: switchboard}
  - {number: "4589151602", route: jobcenter}
routing:
  overflow_target: {department: jobcenter}
"""
# lines: 1 timezone, 2 pbx, 4 switchboard.hours, 5 holidays, 7-8 telephonists,
# 10 department id, 12 function_number, 13 hours, 14 closures, 16-17 entries, 19 overflow_target


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in tmp_path so problems name the file as the engineer typed it: callrouter.yaml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLROUTER_AMI_SECRET", "s3cret")


def problems(text: str, *, check_secret: bool = False) -> list[str]:
    path = Path("callrouter.yaml")
    path.write_text(text, encoding="utf-8")
    return [str(problem) for problem in check_config(path, check_secret=check_secret)]


def changed(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new, 1)


def test_the_minimal_file_itself_is_fine() -> None:
    assert [] == problems(MINIMAL, check_secret=True)


def test_a_time_without_two_digit_hours_is_refused_at_its_line() -> None:
    text = changed('hours: {mon-fri: ["08:00-16:00"]}', 'hours: {mon-fri: ["9:00-?"]}')
    expected = [
        "callrouter.yaml:4: switchboard.hours.mon-fri[0]: '9:00-?' is not a time range like "
        "09:00-15:00 (HH:MM-HH:MM with two-digit hours)"
    ]
    assert expected == problems(text)


def test_the_problem_carries_file_line_path_and_message_separately() -> None:
    text = changed('["09:00-14:30"]', '["09:00-25:00"]')
    message = (
        "'09:00-25:00' is not a time range like 09:00-15:00 (HH:MM-HH:MM with two-digit hours)"
    )
    path = Path("callrouter.yaml")
    path.write_text(text, encoding="utf-8")
    expected = [Problem("callrouter.yaml", 13, "departments[0].hours.mon-fri[0]", message)]
    assert expected == check_config(path, check_secret=False)


def test_a_range_that_starts_and_ends_together_is_refused() -> None:
    text = changed('["09:00-14:30"]', '["09:00-09:00"]')
    expected = [
        "callrouter.yaml:13: departments[0].hours.mon-fri[0]: '09:00-09:00' starts and ends at "
        "the same time; all day is 00:00-24:00"
    ]
    assert expected == problems(text)


def test_overlapping_ranges_on_one_day_are_refused() -> None:
    text = changed('["09:00-14:30"]', '["09:00-12:00", "11:30-14:30"]')
    expected = [
        "callrouter.yaml:13: departments[0].hours.mon-fri: the ranges 09:00-12:00 and "
        "11:30-14:30 overlap"
    ]
    assert expected == problems(text)


def test_a_day_given_twice_is_refused_at_the_second_key() -> None:
    text = changed(
        'hours: {mon-fri: ["09:00-14:30"]}',
        'hours:\n      mon-fri: ["09:00-14:30"]\n      thu: ["09:00-17:00"]',
    )
    expected = ["callrouter.yaml:15: departments[0].hours.thu: thu is already given by 'mon-fri'"]
    assert expected == problems(text)


def test_an_unknown_day_name_is_refused() -> None:
    text = changed("{mon-fri:", "{monday-fri:")
    expected = [
        "callrouter.yaml:4: switchboard.hours.monday-fri: 'monday-fri' is not a day "
        "(mon/tue/wed/thu/fri/sat/sun) or a day range like mon-thu"
    ]
    assert expected == problems(text)


def test_an_entry_routed_to_an_unknown_department_is_refused_with_a_hint() -> None:
    text = changed("route: jobcenter}", "route: jobcentre}")
    expected = [
        "callrouter.yaml:17: entries[1].route: there is no department 'jobcentre'; "
        "did you mean 'jobcenter'?"
    ]
    assert expected == problems(text)


def test_an_overflow_to_an_unknown_department_is_refused() -> None:
    text = changed("{department: jobcenter}", "{department: borgerservice}")
    expected = [
        "callrouter.yaml:19: routing.overflow_target.department: there is no department "
        "'borgerservice'"
    ]
    assert expected == problems(text)


def test_an_unknown_key_is_refused_with_a_did_you_mean_hint() -> None:
    text = changed("{id: tel2, name: Tel Two", "{id: tel2, nmae: Tel Two")
    expected = [
        "callrouter.yaml:8: telephonists[1]: missing required key 'name'",
        "callrouter.yaml:8: telephonists[1]: unknown key 'nmae'; did you mean 'name'?",
    ]
    assert expected == problems(text)


def test_an_unknown_top_level_key_is_refused() -> None:
    text = MINIMAL + "telephonist:\n  - {id: tel3}\n"
    expected = ["callrouter.yaml:20: unknown key 'telephonist'; did you mean 'telephonists'?"]
    assert expected == problems(text)


def test_duplicate_telephonist_ids_are_refused() -> None:
    text = changed("{id: tel2,", "{id: tel1,")
    expected = [
        "callrouter.yaml:8: telephonists[1].id: telephonist id 'tel1' is used twice "
        "(first on line 7)"
    ]
    assert expected == problems(text)


def test_duplicate_department_ids_are_refused() -> None:
    second = "  - {id: jobcenter, name: Job 2, function_number: PJSIP/1, hours: {}}\nentries:\n"
    text = changed("entries:\n", second)
    expected = [
        "callrouter.yaml:15: departments[1].id: department id 'jobcenter' is used twice "
        "(first on line 10)"
    ]
    assert expected == problems(text)


def test_duplicate_entry_numbers_are_refused() -> None:
    text = changed('"4589151602"', '"4589151515"')
    expected = [
        "callrouter.yaml:17: entries[1].number: entry number '4589151515' is used twice "
        "(first on line 16)"
    ]
    assert expected == problems(text)


def test_an_invalid_id_is_refused() -> None:
    text = changed("{id: tel2,", "{id: Tel 2,")
    expected = [
        "callrouter.yaml:8: telephonists[1].id: 'Tel 2' is not a valid id: use 1-40 of a-z, 0-9, "
        "'-' and '_', starting with a-z or 0-9"
    ]
    assert expected == problems(text)


@pytest.mark.parametrize(
    ("dial", "shown"),
    [
        ('"Local/tel2@phones/n,30"', "'Local/tel2@phones/n,30'"),  # a comma splits Dial() args
        ('"Local/tel2@phones/n\\r\\nAction: Hangup"', "'Local/tel2@phones/n\\r\\nAction: Hangup'"),
        ('"PJSIP/10 01"', "'PJSIP/10 01'"),
    ],
    ids=["comma", "cr-lf", "space"],
)
def test_a_dial_string_that_would_change_the_pbx_command_is_refused(dial: str, shown: str) -> None:
    text = changed("dial: Local/tel2@phones/n", f"dial: {dial}")
    expected = [
        f"callrouter.yaml:8: telephonists[1].dial: unsafe dial string {shown}: expected "
        "something like PJSIP/1001 or Local/tel1@phones/n"
    ]
    assert expected == problems(text)


def test_an_unsafe_announcement_name_is_refused() -> None:
    text = MINIMAL + "  after_hours: {announcement: closed$now}\n"
    expected = [
        "callrouter.yaml:20: routing.after_hours.announcement: unsafe sound name 'closed$now': "
        "expected something like custom/closed-hours"
    ]
    assert expected == problems(text)


def test_an_unknown_holiday_country_is_refused_with_a_hint() -> None:
    text = changed("{country: DK}", "{country: DKK}")
    expected = [
        "callrouter.yaml:5: switchboard.holidays.country: the holidays package has no country "
        "'DKK'; did you mean 'DK'?"
    ]
    assert expected == problems(text)


def test_a_bad_extra_closed_date_is_refused() -> None:
    text = changed("{country: DK}", '{country: DK, extra_closed: ["2026-02-30"]}')
    expected = [
        "callrouter.yaml:5: switchboard.holidays.extra_closed[0]: '2026-02-30' is not a date "
        "like 2026-12-24"
    ]
    assert expected == problems(text)


def test_a_closure_that_ends_before_it_starts_is_refused() -> None:
    text = changed('end: "2026-11-23T15:00"', 'end: "2026-11-23T12:00"')
    expected = [
        "callrouter.yaml:14: departments[0].closures[0].end: the closure ends "
        "(2026-11-23T12:00+01:00) before it starts (2026-11-23T13:00+01:00)"
    ]
    assert expected == problems(text)


def test_an_unreadable_closure_time_is_refused() -> None:
    text = changed('start: "2026-11-23T13:00"', 'start: "23/11/2026 13:00"')
    expected = [
        "callrouter.yaml:14: departments[0].closures[0].start: '23/11/2026 13:00' is not a "
        "date and time like 2026-11-23T13:00"
    ]
    assert expected == problems(text)


def test_an_unknown_time_zone_is_refused_with_a_hint() -> None:
    text = changed("Europe/Copenhagen", "Europe/Kopenhagen")
    expected = [
        "callrouter.yaml:1: timezone: unknown time zone 'Europe/Kopenhagen'; "
        "did you mean 'Europe/Copenhagen'?"
    ]
    assert expected == problems(text)


def test_a_yaml_syntax_error_is_reported_with_its_line() -> None:
    text = changed('["08:00-16:00"]}', '["08:00-16:00"}')
    expected = [
        "callrouter.yaml:4: YAML syntax error: expected ',' or ']', but got '}' "
        "(while parsing a flow sequence)"
    ]
    assert expected == problems(text)


def test_a_key_given_twice_in_one_mapping_is_refused() -> None:
    text = changed("    name: Jobcenter\n", "    name: Jobcenter\n    name: Job Centre\n")
    expected = ["callrouter.yaml:12: departments[0].name: 'name' is given twice (first on line 11)"]
    assert expected == problems(text)


def test_at_least_one_telephonist_is_needed() -> None:
    start, end = MINIMAL.index("telephonists:"), MINIMAL.index("departments:")
    text = MINIMAL[:start] + "telephonists: []\n" + MINIMAL[end:]
    expected = ["callrouter.yaml:6: telephonists: at least one telephonist is needed"]
    assert expected == problems(text)


def test_a_missing_required_section_is_named() -> None:
    start, end = MINIMAL.index("telephonists:"), MINIMAL.index("departments:")
    expected = ["callrouter.yaml:1: missing required key 'telephonists'"]
    assert expected == problems(MINIMAL[:start] + MINIMAL[end:])


def test_an_unquoted_entry_number_is_refused_because_yaml_makes_it_a_number() -> None:
    text = changed('{number: "4589151515"', "{number: 4589151515")
    expected = [
        "callrouter.yaml:16: entries[0].number: an entry number must be text in quotes: YAML "
        "read this value as int 4589151515 (unquoted digits become numbers, and no/yes become "
        "booleans)"
    ]
    assert expected == problems(text)


def test_an_uppercase_language_code_is_refused() -> None:
    text = changed("dial: Local/tel1@phones/n}", "dial: Local/tel1@phones/n, languages: [DA]}")
    expected = [
        "callrouter.yaml:7: telephonists[0].languages[0]: 'DA' is not a language code: use "
        "lowercase ISO 639-1, e.g. da or en"
    ]
    assert expected == problems(text)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "username: callrouter,",
            "username: callrouter, port: 70000,",
            "callrouter.yaml:2: pbx.port: input should be less than or equal to 65535 (got 70000)",
        ),
        (
            "overflow_target:",
            "rings_per_attempt: 21\n  overflow_target:",
            "callrouter.yaml:19: routing.rings_per_attempt: input should be less than or equal "
            "to 20 (got 21)",
        ),
        (
            "overflow_target:",
            "max_wait_seconds: 0\n  overflow_target:",
            "callrouter.yaml:19: routing.max_wait_seconds: input should be greater than 0 (got 0)",
        ),
        (
            "overflow_target:",
            "pause_after_misses: 0\n  overflow_target:",
            "callrouter.yaml:19: routing.pause_after_misses: input should be greater than or "
            "equal to 1 (got 0)",
        ),
        (
            "switchboard:\n",
            "ring_cadence_seconds: 31\nswitchboard:\n",
            "callrouter.yaml:3: ring_cadence_seconds: input should be less than or equal to 30 "
            "(got 31)",
        ),
    ],
    ids=["port", "rings_per_attempt", "max_wait_seconds", "pause_after_misses", "ring_cadence"],
)
def test_numbers_out_of_range_are_refused(old: str, new: str, expected: str) -> None:
    assert [expected] == problems(changed(old, new))


def test_a_missing_secret_environment_variable_is_reported_when_the_secret_is_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CALLROUTER_AMI_SECRET")
    expected = [
        "callrouter.yaml:2: pbx.secret_env: the environment variable CALLROUTER_AMI_SECRET is "
        "not set (it should hold the AMI secret)"
    ]
    assert expected == problems(MINIMAL, check_secret=True)
    assert [] == problems(MINIMAL, check_secret=False)


def test_an_empty_secret_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLROUTER_AMI_SECRET", "  ")
    expected = [
        "callrouter.yaml:2: pbx.secret_env: the environment variable CALLROUTER_AMI_SECRET is empty"
    ]
    assert expected == problems(MINIMAL, check_secret=True)


def test_a_missing_secret_file_is_reported_with_its_full_path(tmp_path: Path) -> None:
    text = changed("secret_env: CALLROUTER_AMI_SECRET", "secret_file: ami.secret")
    expected = [
        f"callrouter.yaml:2: pbx.secret_file: cannot read the secret file "
        f"{tmp_path.absolute() / 'ami.secret'}: No such file or directory"
    ]
    assert expected == problems(text, check_secret=True)


def test_the_secret_must_come_from_exactly_one_place() -> None:
    both = changed("secret_env: CALLROUTER_AMI_SECRET", "secret_env: A, secret_file: a.txt")
    neither = changed(", secret_env: CALLROUTER_AMI_SECRET", "")
    assert [
        "callrouter.yaml:2: pbx.secret_file: give only one of secret_env and secret_file"
    ] == problems(both)
    assert [
        "callrouter.yaml:2: pbx: give secret_env (environment variable) or secret_file for the "
        "AMI secret"
    ] == problems(neither)


def test_every_mistake_in_a_file_is_reported_in_file_order() -> None:
    text = (
        MINIMAL.replace("Europe/Copenhagen", "Mars/Olympus")
        .replace('["08:00-16:00"]', '["08:00-16:00", "15:00-17:00"]')
        .replace("{id: tel2,", "{id: tel1,")
        .replace("function_number: Local/dept-jobcenter@departments/n", "function_number: 1, 2")
        .replace("route: jobcenter}", "route: payments}")
    )
    expected = [
        "callrouter.yaml:1: timezone: unknown time zone 'Mars/Olympus'",
        "callrouter.yaml:4: switchboard.hours.mon-fri: the ranges 08:00-16:00 and 15:00-17:00 "
        "overlap",
        "callrouter.yaml:8: telephonists[1].id: telephonist id 'tel1' is used twice "
        "(first on line 7)",
        "callrouter.yaml:12: departments[0].function_number: unsafe dial string '1, 2': "
        "expected something like PJSIP/1001 or Local/tel1@phones/n",
        "callrouter.yaml:17: entries[1].route: there is no department 'payments'",
    ]
    assert expected == problems(text)


def test_load_config_raises_config_error_listing_the_problems_one_per_line() -> None:
    path = Path("callrouter.yaml")
    path.write_text(changed("{id: tel2,", "{id: tel1,").replace("DK", "ZZ"), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    expected = (
        "callrouter.yaml:5: switchboard.holidays.country: the holidays package has no country "
        "'ZZ'\n"
        "callrouter.yaml:8: telephonists[1].id: telephonist id 'tel1' is used twice "
        "(first on line 7)"
    )
    assert expected == str(raised.value)
    assert 2 == len(raised.value.problems)


def test_an_empty_file_is_reported() -> None:
    assert ["callrouter.yaml: the file is empty"] == problems("# nothing here yet\n")


def test_a_missing_file_is_reported() -> None:
    expected = ["nowhere.yaml: cannot read the file: No such file or directory"]
    assert expected == [str(p) for p in check_config(Path("nowhere.yaml"))]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "{metric: service_level_rings, scope: jobcentre, at_least: 0.9}",
            "callrouter.yaml:22: kpis.targets[0].scope: there is no department 'jobcentre'"
            "; did you mean 'jobcenter'?",
        ),
        (
            "{metric: service_level_rings, scope: switchboard, at_least: 0.9, at_most: 0.95}",
            "callrouter.yaml:22: kpis.targets[0]: give either at_least or at_most"
            " (a share from 0 to 1, e.g. 0.9)",
        ),
        (
            "{metric: service_level_rings, scope: switchboard, at_least: 90}",
            "callrouter.yaml:22: kpis.targets[0].at_least: input should be less than or equal"
            " to 1 (got 90)",
        ),
        (
            "{metric: speed, scope: switchboard, at_least: 0.9}",
            "callrouter.yaml:22: kpis.targets[0].metric: input should be 'service_level_rings',"
            " 'service_level_seconds', 'abandonment_rate' or 'repeat_caller_rate' (got 'speed')",
        ),
    ],
)
def test_a_bad_kpi_target_is_named_with_its_line(target: str, expected: str) -> None:
    """A supervisor's typo in a target is caught by check-config, not by a wrong report."""
    assert [expected] == problems(MINIMAL + f"kpis:\n  targets:\n    - {target}\n")
