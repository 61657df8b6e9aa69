"""The `web:` section: host, port and hashed tokens, with file:line errors; the server refuses to
listen beyond loopback without tokens."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from callrouter.cli import main
from callrouter.config import load_config
from callrouter.web.server import BindRefused, WebServer, build_app
from callrouter.web.settings import Role, WebSettings
from callrouter.web.tokens import TokenHash, hash_token
from tests.config.test_config_errors import MINIMAL, in_tmp, problems

__all__ = ["in_tmp"]  # the autouse fixture: run in tmp_path with the AMI secret set

HASH = str(hash_token("anna.supervisor-secret-0001", n=1024))
WEB_LINE = MINIMAL.count("\n") + 1  # `web:` is appended right after MINIMAL


def test_the_web_section_is_read_with_its_tokens() -> None:
    text = (
        MINIMAL
        + f"""web:
  host: 192.0.2.10
  port: 9090
  tokens:
    - {{name: anna, role: supervisor, hash: "{HASH}"}}
    - {{name: desk1, role: telephonist, telephonist: tel1, hash: "{HASH}"}}
    - {{name: wall, role: read_only, hash: "{HASH}"}}
"""
    )
    Path("callrouter.yaml").write_text(text, encoding="utf-8")
    web = load_config(Path("callrouter.yaml")).web
    assert ("192.0.2.10", 9090) == (web.host, web.port)
    assert [("anna", Role.SUPERVISOR, None), ("desk1", Role.TELEPHONIST, "tel1"),
            ("wall", Role.READ_ONLY, None)] == [
        (t.name, t.role, t.telephonist) for t in web.tokens
    ]  # fmt: skip
    assert web.tokens[0].hash.matches("anna.supervisor-secret-0001")
    assert not web.tokens[0].hash.matches("anna.supervisor-secret-0002")


def test_without_a_web_section_the_server_listens_on_loopback_8080_with_no_tokens() -> None:
    Path("callrouter.yaml").write_text(MINIMAL, encoding="utf-8")
    assert WebSettings("127.0.0.1", 8080, ()) == load_config(Path("callrouter.yaml")).web


def test_listening_beyond_loopback_without_tokens_is_refused_at_the_host_line() -> None:
    text = MINIMAL + "web:\n  port: 8080\n  host: 192.0.2.10\n"
    expected = (
        f"callrouter.yaml:{WEB_LINE + 2}: web.host: the server would listen on 192.0.2.10 without "
        "auth: add tokens (callrouter hash-token NAME) or listen on 127.0.0.1"
    )
    assert [expected] == problems(text)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ('{name: x, role: telephonist, telephonist: tel1x, hash: "H"}',
         "web.tokens[0].telephonist: there is no telephonist 'tel1x'; did you mean 'tel1'?"),
        ('{name: x, role: telephonist, hash: "H"}',
         "web.tokens[0]: a telephonist token names its telephonist (telephonist: <id>)"),
        ('{name: x, role: supervisor, telephonist: tel1, hash: "H"}',
         "web.tokens[0].telephonist: only a telephonist token names a telephonist "
         "(role supervisor)"),
        ("{name: x, role: supervisor, hash: plain-text-token}",
         "web.tokens[0].hash: not a token hash; make one with `callrouter hash-token NAME` "
         "(it reads scrypt:n:r:p:salt:hash)"),
        ('{name: x, role: boss, hash: "H"}',
         "web.tokens[0].role: input should be 'supervisor', 'telephonist' or 'read_only' "
         "(got 'boss')"),
    ],
)  # fmt: skip
def test_bad_tokens_are_reported_on_their_line(token: str, expected: str) -> None:
    text = MINIMAL + "web:\n  tokens:\n    - " + token.replace("H", HASH) + "\n"
    assert [f"callrouter.yaml:{WEB_LINE + 2}: {expected}"] == problems(text)


def test_a_token_name_used_twice_is_reported() -> None:
    token = f'{{name: anna, role: supervisor, hash: "{HASH}"}}'
    text = MINIMAL + f"web:\n  tokens:\n    - {token}\n    - {token}\n"
    where = f"callrouter.yaml:{WEB_LINE + 3}: web.tokens[1].name"
    expected = f"{where}: token name 'anna' is used twice"
    assert [expected] == problems(text)


async def test_the_server_itself_refuses_to_listen_beyond_loopback_without_tokens() -> None:
    settings = WebSettings(host="192.0.2.10", port=0)
    server = WebServer(settings, build_app(settings, [], {}))
    with pytest.raises(BindRefused, match=r"refusing to listen on 192\.0\.2\.10 without tokens"):
        await server.start()


def test_hash_token_prints_a_token_and_a_hash_that_matches_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert 0 == main(["hash-token", "anna"])
    out, err = capsys.readouterr()
    token = err.rsplit(": ", 1)[1].strip()
    line = out.strip()
    assert line.startswith('- {name: anna, role: ROLE, hash: "scrypt:16384:8:1:')
    stored = TokenHash.parse(line.split('hash: "')[1].rstrip('"}'))
    assert (True, False) == (stored.matches(token), stored.matches(token + "x"))


def test_hash_token_refuses_a_token_that_does_not_carry_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("bob.some-long-secret-value\n"))
    assert 2 == main(["hash-token", "anna", "--stdin"])


TOKENS_FILE = f"""\
tokens:
  - {{name: desk1, role: telephonist, telephonist: tel1, hash: "{HASH}"}}
  - {{name: wall, role: read_only, hash: "{HASH}"}}
"""


def test_tokens_may_live_in_a_file_the_config_names() -> None:
    Path("web-tokens.yaml").write_text(TOKENS_FILE, encoding="utf-8")
    text = (
        MINIMAL
        + f"""web:
  host: 192.0.2.10
  tokens: [{{name: anna, role: supervisor, hash: "{HASH}"}}]
  tokens_file: web-tokens.yaml
"""
    )
    Path("callrouter.yaml").write_text(text, encoding="utf-8")
    web = load_config(Path("callrouter.yaml")).web
    assert [("anna", None), ("desk1", "tel1"), ("wall", None)] == [
        (t.name, t.telephonist) for t in web.tokens
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((f'hash: "{HASH}"}}\n  - {{name: wall', "hash: nope}\n  - {name: wall"),
         "web-tokens.yaml:2: tokens[0].hash: not a token hash; make one with `callrouter "
         "hash-token NAME` (it reads scrypt:n:r:p:salt:hash)"),
        (("telephonist: tel1", "telephonist: tel1x"),
         "web-tokens.yaml:2: tokens[0].telephonist: there is no telephonist 'tel1x'; did you "
         "mean 'tel1'?"),
        (("name: wall", "name: anna"),
         "web-tokens.yaml:3: tokens[1].name: token name 'anna' is also in web.tokens"),
    ],
)  # fmt: skip
def test_mistakes_in_the_tokens_file_are_reported_with_its_own_lines(
    change: tuple[str, str], expected: str
) -> None:
    tokens_file = TOKENS_FILE.replace(*change)
    assert tokens_file != TOKENS_FILE
    Path("web-tokens.yaml").write_text(tokens_file, encoding="utf-8")
    text = (
        MINIMAL
        + f"""web:
  tokens: [{{name: anna, role: supervisor, hash: "{HASH}"}}]
  tokens_file: web-tokens.yaml
"""
    )
    assert [expected] == problems(text)


def test_a_missing_tokens_file_is_reported() -> None:
    text = MINIMAL + "web:\n  tokens_file: nowhere.yaml\n"
    assert ["nowhere.yaml: cannot read the file: No such file or directory"] == problems(text)


def test_a_tokens_file_without_tokens_is_refused() -> None:
    Path("web-tokens.yaml").write_text("tokens: []\n", encoding="utf-8")
    text = MINIMAL + "web:\n  host: 192.0.2.10\n  tokens_file: web-tokens.yaml\n"
    assert ["web-tokens.yaml:1: tokens: list should have at least 1 item after validation, not 0"
            ] == problems(text)  # fmt: skip
