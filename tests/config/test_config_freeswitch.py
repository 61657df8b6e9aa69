"""`pbx: {kind: freeswitch}`: the Event Socket's host, port and password, checked like the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from callrouter.config import check_config, load_config

BODY = """\
switchboard:
  hours: {mon-fri: ["08:00-16:00"]}
telephonists:
  - {id: tel1, name: Tel One, dial: user/1001}
"""


def write(tmp_path: Path, pbx: str) -> Path:
    path = tmp_path / "callrouter.yaml"
    path.write_text(f"timezone: Europe/Copenhagen\npbx: {pbx}\n{BODY}", encoding="utf-8")
    return path


def problems(tmp_path: Path, pbx: str, *, check_secret: bool = False) -> list[str]:
    path = write(tmp_path, pbx)
    return [
        str(p).replace(str(path), "callrouter.yaml")
        for p in check_config(path, check_secret=check_secret)
    ]


def test_freeswitch_defaults_to_port_8021_and_reads_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLROUTER_ESL_PASSWORD", "ClueCon")
    config = load_config(
        write(tmp_path, "{kind: freeswitch, password_env: CALLROUTER_ESL_PASSWORD}")
    )
    settings = config.pbx
    expected = ("freeswitch", "127.0.0.1", 8021, "callrouter-inbound")
    assert expected == (settings.kind, settings.host, settings.port, settings.inbound_context)
    assert "ClueCon" == settings.secret()
    assert "ClueCon" not in repr(config)


def test_the_password_file_is_read_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "esl.txt").write_text("s3cret\n", encoding="utf-8")
    pbx = "{kind: freeswitch, host: pbx.example.org, port: 8022, password_file: esl.txt}"
    config = load_config(write(tmp_path, pbx))
    assert ("pbx.example.org", 8022, "s3cret") == (
        config.pbx.host,
        config.pbx.port,
        config.pbx.secret(),
    )


def test_a_missing_password_source_is_reported_on_the_pbx_line(tmp_path: Path) -> None:
    expected = [
        "callrouter.yaml:2: pbx: give password_env (environment variable) or password_file "
        "for the ESL password"
    ]
    assert expected == problems(tmp_path, "{kind: freeswitch}")


def test_an_unset_password_variable_names_the_key_and_what_it_should_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_ESL_PASSWORD", raising=False)
    pbx = "{kind: freeswitch, password_env: NO_SUCH_ESL_PASSWORD}"
    expected = [
        "callrouter.yaml:2: pbx.password_env: the environment variable NO_SUCH_ESL_PASSWORD "
        "is not set (it should hold the ESL password)"
    ]
    assert expected == problems(tmp_path, pbx, check_secret=True)


def test_asterisk_only_keys_are_unknown_for_freeswitch_with_a_hint(tmp_path: Path) -> None:
    pbx = "{kind: freeswitch, password_env: X, secret_env: Y, prot: 8021}"
    expected = [
        "callrouter.yaml:2: pbx: unknown key 'prot'; did you mean 'port'?",
        "callrouter.yaml:2: pbx: unknown key 'secret_env'",
    ]
    assert expected == sorted(problems(tmp_path, pbx))


def test_a_bad_port_and_an_unknown_kind_are_refused(tmp_path: Path) -> None:
    bad_port = problems(tmp_path, "{kind: freeswitch, port: 0, password_env: X}")
    assert [
        "callrouter.yaml:2: pbx.port: input should be greater than or equal to 1 (got 0)"
    ] == bad_port
    unknown = problems(tmp_path, "{kind: yate, password_env: X}")
    assert [
        "callrouter.yaml:2: pbx.kind: kind must be asterisk or freeswitch (got 'yate')"
    ] == unknown
    missing = problems(tmp_path, "{password_env: X}")
    assert [
        "callrouter.yaml:2: pbx: missing required key 'kind' (asterisk or freeswitch)"
    ] == missing
