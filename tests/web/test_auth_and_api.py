"""The server's token auth, roles and JSON errors, on the panel's endpoints and the server's own."""

from __future__ import annotations

from typing import Any

import pytest

from callrouter.domain import events as ev
from callrouter.domain.model import Presence
from callrouter.web.openapi import openapi_document
from tests.web.conftest import READ, SUP, TEL1, Server

PRESENCE = "/api/panel/telephonists/{}/presence"
READ_PATHS = ["/api/whoami", "/api/panel/settings", "/api/panel/callbacks", "/metrics",
              "/api/wallboard"]  # fmt: skip


async def status_and_body(server: Server, method: str, path: str, **kwargs: Any) -> Any:
    response = await server.client.request(method, path, **kwargs)
    assert "application/json" == response.content_type, await response.text()
    return response.status, await response.json()


@pytest.mark.parametrize("path", READ_PATHS)
async def test_reads_without_a_token_or_with_a_wrong_one_are_401_json(
    server: Server, path: str
) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer anna.not-the-right-secret"},  # a known name, a wrong secret
        {"Authorization": "Bearer nobody.whatever-secret-123"},
        {"Authorization": "Bearer garbage"},
        {"Authorization": "Basic YW5uYTp4"},
        {"Authorization": "Bearer"},
    ):
        status, body = await status_and_body(server, "GET", path, headers=headers)
        assert 401 == status
        assert "a valid token is needed: send Authorization: Bearer <token>" == body["error"]


@pytest.mark.parametrize("path", READ_PATHS)
async def test_every_role_may_read(server: Server, path: str) -> None:
    for headers in (SUP, TEL1, READ):
        response = await server.client.get(path, headers=headers)
        assert 200 == response.status


async def test_whoami_names_the_role_and_the_telephonist(server: Server) -> None:
    answers = [await status_and_body(server, "GET", "/api/whoami", headers=h)
               for h in (SUP, TEL1, READ)]  # fmt: skip
    assert [
        (200, {"name": "anna", "role": "supervisor", "telephonist": None}),
        (200, {"name": "desk1", "role": "telephonist", "telephonist": "tel1"}),
        (200, {"name": "wall", "role": "read_only", "telephonist": None}),
    ] == answers


async def test_a_read_only_token_may_not_change_presence(server: Server) -> None:
    body = {"action": "pause", "reason": "lunch"}
    status, reply = await status_and_body(
        server, "POST", PRESENCE.format("tel1"), json=body, headers=READ
    )
    assert (403, "the read_only role may not do this") == (status, reply["error"])
    assert Presence.AVAILABLE is server.controller.router.floor.phones["tel1"].presence


async def test_a_telephonist_token_acts_for_its_own_telephonist_only(server: Server) -> None:
    body = {"action": "pause", "reason": "lunch"}
    status, reply = await status_and_body(
        server, "POST", PRESENCE.format("tel2"), json=body, headers=TEL1
    )
    assert (403, "this token acts for tel1 only, not tel2") == (status, reply["error"])
    assert [] == _presence_events(server)
    status, reply = await status_and_body(
        server, "POST", PRESENCE.format("tel1"), json=body, headers=TEL1
    )
    assert (202, {"id": "tel1", "presence": "paused"}) == (status, reply)
    [posted] = _presence_events(server)
    assert ("tel1", "paused", "lunch") == (posted.telephonist_id, posted.presence, posted.reason)


async def test_a_telephonist_may_not_claim_a_callback_in_another_ones_name(
    server: Server,
) -> None:
    path = "/api/panel/callbacks/1/claim"
    status, reply = await status_and_body(
        server, "POST", path, json={"telephonist": "tel2"}, headers=TEL1
    )
    assert (403, "this token acts for tel1 only, not tel2") == (status, reply["error"])


async def test_a_supervisor_may_change_anyones_presence(server: Server) -> None:
    body = {"action": "log_out"}
    status, reply = await status_and_body(
        server, "POST", PRESENCE.format("tel2"), json=body, headers=SUP
    )
    assert (202, {"id": "tel2", "presence": "logged_out"}) == (status, reply)
    [posted] = _presence_events(server)
    assert "log_out by anna" == posted.reason


async def test_only_a_supervisor_registers_a_closure(server: Server) -> None:
    closure = {"scope": "borgerservice", "start": "2026-11-23T13:00:00+01:00",
               "end": "2026-11-23T15:00:00+01:00", "note": "all at a meeting"}  # fmt: skip
    for headers in (TEL1, READ):
        status, reply = await status_and_body(
            server, "POST", "/api/panel/closures", json=closure, headers=headers
        )
        assert 403 == status
    status, reply = await status_and_body(
        server, "POST", "/api/panel/closures", json=closure, headers=SUP
    )
    assert (201, "anna") == (status, reply["created_by"])


async def test_bad_payloads_through_the_real_auth_are_400_or_422(server: Server) -> None:
    path = PRESENCE.format("tel1")
    headers = {**TEL1, "Content-Type": "application/json"}
    status, reply = await status_and_body(server, "POST", path, data=b"{not json", headers=headers)
    assert (400, "the body is not valid JSON") == (status, reply["error"])
    status, reply = await status_and_body(
        server, "POST", path, json={"action": "dance"}, headers=TEL1
    )
    assert 422 == status
    assert reply["error"].startswith("action:")


async def test_unknown_ids_are_404_json(server: Server) -> None:
    for method, path in (
        ("GET", "/api/panel/telephonists/nobody"),
        ("GET", "/api/panel/calls/no-such-call/reasons"),
        ("DELETE", "/api/panel/closures/999"),
        ("DELETE", "/api/panel/closures/abc"),
    ):
        status, _ = await status_and_body(server, method, path, headers=SUP)
        assert (method, path, 404) == (method, path, status)


async def test_unknown_paths_and_wrong_methods_are_json_errors(server: Server) -> None:
    status, reply = await status_and_body(server, "GET", "/no/such/page", headers=SUP)
    assert (404, {"error": "no such path: /no/such/page"}) == (status, reply)
    status, reply = await status_and_body(server, "DELETE", "/metrics", headers=SUP)
    assert (405, {"error": "DELETE is not allowed on /metrics"}) == (status, reply)


async def test_without_tokens_on_loopback_everyone_is_the_local_supervisor(
    open_server: Server,
) -> None:
    status, reply = await status_and_body(open_server, "GET", "/api/whoami")
    assert (200, {"name": "local", "role": "supervisor", "telephonist": None}) == (status, reply)


async def test_the_openapi_document_describes_every_route_the_server_has(server: Server) -> None:
    response = await server.client.get("/openapi.json")
    document = await response.json()
    assert "3.1.0" == document["openapi"]
    assert openapi_document() == document
    app = server.client.app
    assert app is not None
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and route.method != "HEAD"
    }
    documented = {(m, p) for p, methods in document["paths"].items() for m in methods}
    assert served == documented


def _presence_events(server: Server) -> list[ev.TelephonistPresenceChanged]:
    queued = list(server.controller.events._queue)  # type: ignore[attr-defined]
    return [e for e in queued if isinstance(e, ev.TelephonistPresenceChanged)]


async def test_the_bearer_scheme_is_read_in_any_case(server: Server) -> None:
    headers = {"Authorization": SUP["Authorization"].replace("Bearer", "bearer")}
    status, reply = await status_and_body(server, "GET", "/api/whoami", headers=headers)
    assert (200, "anna") == (status, reply["name"])


async def test_a_wrong_secret_is_refused_after_the_right_one_was_accepted(server: Server) -> None:
    """Accepted tokens are remembered; that must not let a near miss of the same name in."""
    assert 200 == (await server.client.get("/api/whoami", headers=SUP)).status
    wrong = {"Authorization": SUP["Authorization"][:-1] + "2"}
    assert 401 == (await server.client.get("/api/whoami", headers=wrong)).status
    assert 200 == (await server.client.get("/api/whoami", headers=SUP)).status


async def test_a_post_that_is_not_json_is_refused_so_other_sites_cannot_forge_one(
    server: Server,
) -> None:
    """A hostile page can make the browser POST text/plain or a form without a preflight."""
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        status, reply = await status_and_body(
            server,
            "POST",
            PRESENCE.format("tel1"),
            data='{"action": "pause", "reason": "lunch"}',
            headers={**TEL1, "Content-Type": content_type},
        )
        assert 415 == status
        assert "send the request body as JSON (Content-Type: application/json)" == reply["error"]
    assert [] == _presence_events(server)


async def test_without_tokens_only_a_loopback_host_is_answered(open_server: Server) -> None:
    """DNS rebinding: evil.example resolving to 127.0.0.1 must not read the open API."""
    status, reply = await status_and_body(
        open_server, "GET", "/api/whoami", headers={"Host": "evil.example:8080"}
    )
    assert 421 == status
    assert "this server answers only to a loopback host, not 'evil.example:8080'" == reply["error"]
    for host in ("localhost:8080", "127.0.0.1", "[::1]:8080"):
        response = await open_server.client.get("/api/whoami", headers={"Host": host})
        assert 200 == response.status, host
