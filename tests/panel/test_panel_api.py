"""Every panel endpoint: what people get; wrong roles, bad input, unknown ids are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from callrouter.domain.callbacks import CallbackSource, NewCallback
from callrouter.domain.commands import RecordAnswer, RecordArrival
from callrouter.domain.model import Presence
from tests.domain.builders import MONDAY_10
from tests.panel.conftest import RO, SUP, TEL, Panel

NOW = MONDAY_10
LATER = (NOW + timedelta(minutes=30)).isoformat()


async def call_answered_by(
    panel: Panel, tid: str, call_id: str = "c1", name: str = "Søren <b>Ærø</b>"
) -> None:
    arrived = NOW - timedelta(seconds=40)
    channel, number = "PJSIP/trunk-1", "+4512345678"
    arrival = RecordArrival(
        call_id, call_id, channel, "4589151515", None, "da", number, name, arrived
    )
    answer = RecordAnswer(call_id, tid, 12.5, 3, arrived + timedelta(seconds=12.5))
    await panel.call_log.record_all([arrival, answer])


async def send(
    panel: Panel, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, Any]:
    response = await panel.client.request(method, path, headers=headers, json=body)
    return response.status, await response.json()


# --- roles ---------------------------------------------------------------------------------

WRITES = [
    ("POST", "/api/panel/telephonists/tel1/presence", {"action": "pause", "reason": "lunch"}),
    ("POST", "/api/panel/calls/c1/reasons", {"code": "complaint"}),
    ("DELETE", "/api/panel/calls/c1/reasons/complaint", None),
    ("POST", "/api/panel/messages", {"caller_number": "12345678", "telephonist": "tel1"}),
    ("POST", "/api/panel/callbacks/1/claim", {"telephonist": "tel1"}),
    ("POST", "/api/panel/callbacks/1/close", {"telephonist": "tel1", "result": "reached"}),
]
SUPERVISOR_ONLY = [
    ("POST", "/api/panel/closures", {"scope": "jobcenter", "start": NOW.isoformat(), "end": LATER}),
    ("DELETE", "/api/panel/closures/1", None),
]
READS = [
    "/api/panel/settings",
    "/api/panel/telephonists/tel1",
    "/api/panel/calls/c1/reasons",
    "/api/panel/directory",
    "/api/panel/messages",
    "/api/panel/callbacks",
    "/api/panel/closures",
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES + SUPERVISOR_ONLY)
async def test_a_read_only_token_cannot_change_anything(
    panel: Panel, method: str, path: str, body: Any
) -> None:
    assert 403 == (await send(panel, method, path, RO, body))[0]
    assert [] == panel.controller.posted


@pytest.mark.parametrize(("method", "path", "body"), SUPERVISOR_ONLY)
async def test_only_supervisors_register_or_cancel_closures(
    panel: Panel, method: str, path: str, body: Any
) -> None:
    assert 403 == (await send(panel, method, path, TEL, body))[0]


@pytest.mark.parametrize("path", READS)
async def test_every_read_needs_a_token_and_a_read_only_token_is_enough(
    panel: Panel, path: str
) -> None:
    await call_answered_by(panel, "tel1")
    assert 401 == (await send(panel, "GET", path, {}))[0]
    assert 200 == (await send(panel, "GET", path, RO))[0]


# --- settings and the telephonist's own view ----------------------------------------------


async def test_settings_list_the_reason_codes_and_telephonists(panel: Panel) -> None:
    _, body = await send(panel, "GET", "/api/panel/settings", RO)
    assert "general-enquiry" == body["reason_codes"][0]["code"]
    assert ["tel1", "tel2"] == [t["id"] for t in body["telephonists"]]


async def test_the_current_call_shows_caller_wait_and_the_number_dialled(panel: Panel) -> None:
    await call_answered_by(panel, "tel1")
    _, body = await send(panel, "GET", "/api/panel/telephonists/tel1", TEL)
    call = body["call"]
    expected = ("c1", "+4512345678", "Søren <b>Ærø</b>", 12.5, "4589151515", "switchboard")
    fields = ("call_id", "caller_number", "caller_name", "waited_seconds", "entry", "dialled")
    assert expected == tuple(call[f] for f in fields)
    assert "available" == body["presence"]


async def test_a_telephonist_without_calls_has_no_current_call_and_unknown_ones_are_404(
    panel: Panel,
) -> None:
    assert (200, None) == (
        (s := await send(panel, "GET", "/api/panel/telephonists/tel2", TEL))[0],
        s[1]["call"],
    )
    status, body = await send(panel, "GET", "/api/panel/telephonists/nobody", TEL)
    assert (404, "no telephonist 'nobody'") == (status, body["error"])


# --- presence ------------------------------------------------------------------------------


async def test_pause_with_a_reason_then_resume_reaches_the_router(panel: Panel) -> None:
    path = "/api/panel/telephonists/tel1/presence"
    assert 202 == (await send(panel, "POST", path, TEL, {"action": "pause", "reason": "lunch"}))[0]
    assert Presence.PAUSED is panel.controller.router.floor.phones["tel1"].presence
    assert "lunch" == panel.controller.posted[-1].reason  # type: ignore[union-attr]
    assert 202 == (await send(panel, "POST", path, TEL, {"action": "resume"}))[0]
    assert Presence.AVAILABLE is panel.controller.router.floor.phones["tel1"].presence
    assert 202 == (await send(panel, "POST", path, TEL, {"action": "log_out"}))[0]
    assert Presence.LOGGED_OUT is panel.controller.router.floor.phones["tel1"].presence
    assert 202 == (await send(panel, "POST", path, TEL, {"action": "log_in"}))[0]
    assert Presence.AVAILABLE is panel.controller.router.floor.phones["tel1"].presence


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"action": "pause"}, 422, "a pause needs a reason"),
        ({"action": "pause", "reason": "a\nb"}, 422, "reason: must be one line"),
        ({"action": "dance"}, 422, "action: Input should be"),
        ({"action": "resume"}, 409, "not paused"),
        ({"action": "log_in"}, 409, "already logged in"),
        ({"action": "pause", "reason": "x", "extra": 1}, 422, "extra: unknown field"),
        ([1, 2], 422, "the body must be a JSON object"),
    ],
)
async def test_bad_presence_requests_are_refused_and_change_nothing(
    panel: Panel, body: Any, status: int, error: str
) -> None:
    got, reply = await send(panel, "POST", "/api/panel/telephonists/tel1/presence", TEL, body)
    assert (status, True) == (got, error in reply["error"])
    assert [] == panel.controller.posted


async def test_a_body_that_is_not_json_is_a_400(panel: Panel) -> None:
    response = await panel.client.post(
        "/api/panel/telephonists/tel1/presence", data=b"{nope", headers=TEL
    )
    assert (400, "the body is not valid JSON") == (
        response.status,
        (await response.json())["error"],
    )


async def test_presence_of_an_unknown_telephonist_is_404(panel: Panel) -> None:
    body = {"action": "pause", "reason": "lunch"}
    assert 404 == (await send(panel, "POST", "/api/panel/telephonists/x/presence", TEL, body))[0]


# --- reason codes --------------------------------------------------------------------------


async def test_a_telephonist_codes_the_call_once_per_code_and_can_take_a_code_off(
    panel: Panel,
) -> None:
    await call_answered_by(panel, "tel1")
    path = "/api/panel/calls/c1/reasons"
    status, body = await send(panel, "POST", path, TEL, {"code": "complaint"})
    assert (201, ["complaint"]) == (status, [r["code"] for r in body["reasons"]])
    assert 200 == (await send(panel, "POST", path, TEL, {"code": "complaint"}))[0]
    assert 201 == (await send(panel, "POST", path, SUP, {"code": "wrong-number"}))[0]
    _, body = await send(panel, "GET", path, RO)
    assert [("complaint", "telephonist"), ("wrong-number", "supervisor")] == [
        (r["code"], r["by"]) for r in body["reasons"]
    ]
    assert 200 == (await send(panel, "DELETE", f"{path}/complaint", TEL))[0]
    assert 404 == (await send(panel, "DELETE", f"{path}/complaint", TEL))[0]


@pytest.mark.parametrize(
    ("call_id", "body", "status"),
    [
        ("c1", {"code": "not-configured"}, 422),
        ("c1", {"code": "Bad Code!"}, 422),
        ("c1", {}, 422),
        ("nope", {"code": "complaint"}, 404),
    ],
)
async def test_unknown_codes_and_unknown_calls_are_refused(
    panel: Panel, call_id: str, body: Any, status: int
) -> None:
    await call_answered_by(panel, "tel1")
    assert (
        status == (await send(panel, "POST", f"/api/panel/calls/{call_id}/reasons", TEL, body))[0]
    )
    assert [] == await panel.desk.reasons("c1")


async def test_reasons_of_an_unknown_call_are_404(panel: Panel) -> None:
    assert 404 == (await send(panel, "GET", "/api/panel/calls/nope/reasons", RO))[0]


# --- messages and callbacks ----------------------------------------------------------------


async def test_a_callback_promise_is_stored_and_put_on_the_worklist(panel: Panel) -> None:
    await call_answered_by(panel, "tel1")
    body = {
        "call_id": "c1", "caller_number": "+45 12 34 56 78", "caller_name": "Søren",
        "note": "Tax card\\nquestion", "telephonist": "tel1", "callback_due": LATER,
    }  # fmt: skip
    status, reply = await send(panel, "POST", "/api/panel/messages", TEL, body)
    assert 201 == status
    callback = reply["callback"]
    assert ("+4512345678", "promise", LATER, reply["message"]["id"]) == (
        callback["number"], callback["source"], callback["due_at"], callback["message_id"]
    )  # fmt: skip
    _, listed = await send(panel, "GET", "/api/panel/callbacks", RO)
    assert [callback["id"]] == [c["id"] for c in listed["callbacks"]]


async def test_a_plain_message_is_not_a_callback_and_is_listed(panel: Panel) -> None:
    body = {"caller_number": "12345678", "note": "call Jobcenter", "telephonist": "tel2"}
    status, reply = await send(panel, "POST", "/api/panel/messages", TEL, body)
    assert (201, None) == (status, reply["callback"])
    _, listed = await send(panel, "GET", "/api/panel/messages", RO)
    assert [("12345678", "call Jobcenter", "tel2")] == [
        (m["caller_number"], m["note"], m["created_by"]) for m in listed["messages"]
    ]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"caller_number": "abc", "telephonist": "tel1"}, 422, "caller_number: "),
        ({"caller_number": "12345678", "telephonist": "nobody"}, 422, "no telephonist 'nobody'"),
        (
            {"caller_number": "12345678", "telephonist": "tel1", "callback_due": NOW.isoformat()},
            422,
            "callback_due: must be in the future",
        ),
        (
            {
                "caller_number": "12345678",
                "telephonist": "tel1",
                "callback_due": "2026-11-23T10:00",
            },
            422,
            "UTC offset",
        ),
        (
            {"caller_number": "12345678", "telephonist": "tel1", "call_id": "nope"},
            404,
            "no call 'nope'",
        ),
    ],
)
async def test_bad_messages_are_refused_and_nothing_is_stored(
    panel: Panel, body: Any, status: int, error: str
) -> None:
    got, reply = await send(panel, "POST", "/api/panel/messages", TEL, body)
    assert (status, True) == (got, error in reply["error"])
    assert [] == await panel.desk.messages(since=NOW - timedelta(days=1))


async def promise(panel: Panel, minutes: float, number: str = "+4511111111") -> int:
    due = NOW + timedelta(minutes=minutes)
    entry = await panel.desk.add_callback(
        NewCallback(number, "Åse", CallbackSource.ABANDONED, NOW - timedelta(hours=1), due)
    )
    return entry.id


async def test_overdue_entries_are_marked(panel: Panel) -> None:
    late, fine = await promise(panel, -5, "+4511111111"), await promise(panel, 5, "+4522222222")
    _, body = await send(panel, "GET", "/api/panel/callbacks", RO)
    assert {late: True, fine: False} == {c["id"]: c["overdue"] for c in body["callbacks"]}


async def test_claim_then_close_with_a_result_and_nobody_else_may_take_it(panel: Panel) -> None:
    entry = await promise(panel, 30)
    path = f"/api/panel/callbacks/{entry}"
    assert ("tel1", 200) == (
        (r := await send(panel, "POST", f"{path}/claim", TEL, {"telephonist": "tel1"}))[1][
            "claimed_by"
        ],
        r[0],
    )
    assert 409 == (await send(panel, "POST", f"{path}/claim", TEL, {"telephonist": "tel2"}))[0]
    assert (
        409
        == (
            await send(
                panel, "POST", f"{path}/close", TEL, {"telephonist": "tel2", "result": "reached"}
            )
        )[0]
    )
    status, body = await send(
        panel, "POST", f"{path}/close", TEL, {"telephonist": "tel1", "result": "reached"}
    )
    assert (200, "reached") == (status, body["result"])
    assert (
        409
        == (
            await send(
                panel, "POST", f"{path}/close", TEL, {"telephonist": "tel1", "result": "reached"}
            )
        )[0]
    )


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/panel/callbacks/999/claim", {"telephonist": "tel1"}, 404),
        ("/api/panel/callbacks/abc/claim", {"telephonist": "tel1"}, 404),
        ("/api/panel/callbacks/999/close", {"telephonist": "tel1", "result": "reached"}, 404),
        (
            "/api/panel/callbacks/{id}/close",
            {"telephonist": "tel1", "result": "caller_got_through"},
            422,
        ),
        ("/api/panel/callbacks/{id}/close", {"telephonist": "tel1", "result": "maybe"}, 422),
        ("/api/panel/callbacks/{id}/claim", {"telephonist": "ghost"}, 422),
        ("/api/panel/callbacks/{id}/claim", {}, 422),
    ],
)
async def test_bad_callback_requests(panel: Panel, path: str, body: Any, status: int) -> None:
    entry = await promise(panel, 30)
    assert status == (await send(panel, "POST", path.format(id=entry), TEL, body))[0]
    assert (None, None) == ((e := await panel.desk.callback(entry)).claimed_by, e.closed_at)  # type: ignore[union-attr]


# --- directory and closures ----------------------------------------------------------------


async def test_the_directory_finds_by_task_and_shows_hours(panel: Panel) -> None:
    _, body = await send(panel, "GET", "/api/panel/directory?q=graves", RO)
    [cemetery] = body["departments"]
    expected = ("cemetery", False, "08:00-09:00", "2026-11-24T08:00:00+01:00")
    assert expected == (
        cemetery["id"],
        cemetery["open_now"],
        cemetery["today_hours"],
        cemetery["next_opening"],
    )


async def test_a_supervisor_closes_a_department_at_once_and_cancels_it(panel: Panel) -> None:
    router = panel.controller.router
    body = {
        "scope": "jobcenter",
        "start": NOW.isoformat(),
        "end": LATER,
        "note": "all at a meeting",
    }
    status, stored = await send(panel, "POST", "/api/panel/closures", SUP, body)
    assert (201, "supervisor") == (status, stored["created_by"])
    assert not router.department_open("jobcenter", NOW)
    _, directory = await send(panel, "GET", "/api/panel/directory?q=job", TEL)
    assert ("all at a meeting", False) == (
        directory["departments"][0]["closures"][0]["note"],
        directory["departments"][0]["open_now"],
    )
    _, listed = await send(panel, "GET", "/api/panel/closures", RO)
    assert [stored["id"]] == [c["id"] for c in listed["closures"]]
    assert 200 == (await send(panel, "DELETE", f"/api/panel/closures/{stored['id']}", SUP))[0]
    assert router.department_open("jobcenter", NOW)
    assert 404 == (await send(panel, "DELETE", f"/api/panel/closures/{stored['id']}", SUP))[0]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"scope": "nowhere", "start": NOW.isoformat(), "end": LATER},
            "scope: no department 'nowhere'",
        ),
        ({"scope": "jobcenter", "start": LATER, "end": NOW.isoformat()}, "end must be after start"),
        (
            {
                "scope": "jobcenter",
                "start": (NOW - timedelta(hours=2)).isoformat(),
                "end": (NOW - timedelta(hours=1)).isoformat(),
            },
            "end: must be in the future",
        ),
        ({"scope": "jobcenter", "start": "soon", "end": LATER}, "start: "),
        (
            {"scope": "jobcenter", "start": NOW.isoformat(), "end": LATER, "note": "x" * 101},
            "note: ",
        ),
    ],
)
async def test_bad_closures_are_refused_and_routing_is_unchanged(
    panel: Panel, body: Any, error: str
) -> None:
    status, reply = await send(panel, "POST", "/api/panel/closures", SUP, body)
    assert (422, True) == (status, error in reply["error"])
    assert [] == panel.controller.posted


async def test_the_switchboard_itself_can_be_closed(panel: Panel) -> None:
    body = {"scope": "switchboard", "start": NOW.isoformat(), "end": LATER}
    assert 201 == (await send(panel, "POST", "/api/panel/closures", SUP, body))[0]
    assert not panel.controller.router.switchboard.hours.is_open(NOW)


async def test_a_supervisor_may_close_an_entry_a_telephonist_claimed(panel: Panel) -> None:
    entry = await promise(panel, 30)
    path = f"/api/panel/callbacks/{entry}"
    await send(panel, "POST", f"{path}/claim", TEL, {"telephonist": "tel1"})
    body = {"telephonist": "tel2", "result": "left_voicemail"}
    status, closed = await send(panel, "POST", f"{path}/close", SUP, body)
    assert (200, "tel2", "left_voicemail") == (status, closed["closed_by"], closed["result"])
