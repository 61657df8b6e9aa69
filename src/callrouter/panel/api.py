"""The panel's JSON API (aiohttp handlers). See `panel.openapi` for the documented paths.

Reads come from the router's live state (same event loop, between events) and the desk's store.
Writes are checked against the caller's role, validated, stored, and (presence, closures) posted
to the controller as events, which the router applies in order with the PBX's events.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from aiohttp import web

from callrouter.config.panel import PanelSettings
from callrouter.domain import events as ev
from callrouter.domain.callbacks import Callback, CallbackRefused, CallbackSource, NewCallback
from callrouter.domain.closures import SWITCHBOARD_SCOPE
from callrouter.domain.directory import search
from callrouter.domain.hours import OpeningHours
from callrouter.domain.model import Presence
from callrouter.domain.router import Router
from callrouter.domain.state import PhoneState
from callrouter.panel import views
from callrouter.panel.http import body_of, fail, int_id
from callrouter.panel.payloads import (
    ClaimBody,
    CloseBody,
    ClosureBody,
    MessageBody,
    PresenceBody,
    ReasonBody,
)
from callrouter.panel.presence import PresenceRefused, next_presence
from callrouter.store.desk import DeskStore
from callrouter.store.desk_base import UnknownCall, UnknownId

ClaimedBy = TypeVar("ClaimedBy", bound=ClaimBody)  # a body naming the telephonist acting


class Access(enum.Enum):
    READ = "read"  # any valid token: supervisor, telephonist, read-only
    DESK = "desk"  # telephonist or supervisor
    SUPERVISOR = "supervisor"


Authorize = Callable[[web.Request, Access], str]
"""Checks the request's token for the access level; the caller's name, or raises 401/403."""


class LiveController(Protocol):
    router: Router

    def post(self, event: ev.Event) -> None: ...


@dataclass
class PanelApi:
    controller: LiveController
    desk: DeskStore
    settings: PanelSettings
    authorize: Authorize
    clock: Callable[[], datetime]

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/panel/settings", self.get_settings),
            web.get("/api/panel/telephonists/{tid}", self.get_telephonist),
            web.post("/api/panel/telephonists/{tid}/presence", self.post_presence),
            web.get("/api/panel/calls/{call_id}/reasons", self.get_reasons),
            web.post("/api/panel/calls/{call_id}/reasons", self.post_reason),
            web.delete("/api/panel/calls/{call_id}/reasons/{code}", self.delete_reason),
            web.get("/api/panel/messages", self.get_messages),
            web.post("/api/panel/messages", self.post_message),
            web.get("/api/panel/directory", self.get_directory),
            web.get("/api/panel/callbacks", self.get_callbacks),
            web.post("/api/panel/callbacks/{cid}/claim", self.post_claim),
            web.post("/api/panel/callbacks/{cid}/close", self.post_close),
            web.get("/api/panel/closures", self.get_closures),
            web.post("/api/panel/closures", self.post_closure),
            web.delete("/api/panel/closures/{cid}", self.delete_closure),
        ]

    @property
    def router(self) -> Router:
        return self.controller.router

    # --- settings and telephonists ------------------------------------------------------------

    async def get_settings(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.READ)
        return web.json_response(views.settings_view(self.settings, self.router.switchboard))

    async def get_telephonist(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.READ)
        phone = self._phone(request.match_info["tid"])
        live = self.router.floor.calls.get(phone.busy_with or "")
        last = await self.desk.last_answered_call(phone.id)
        reasons = [] if last is None else await self.desk.reasons(last.call_id)
        view = views.telephonist_view(phone, live, last, reasons, self._dialled(), self.clock())
        return web.json_response(view)

    async def post_presence(self, request: web.Request) -> web.Response:
        by = self.authorize(request, Access.DESK)
        phone = self._phone(request.match_info["tid"])
        body = await body_of(request, PresenceBody)
        try:
            presence = next_presence(phone.presence, body.action)
        except PresenceRefused as refused:
            fail(web.HTTPConflict, str(refused))
        reason = body.reason if presence is Presence.PAUSED else f"{body.action.value} by {by}"
        self.controller.post(
            ev.TelephonistPresenceChanged(phone.id, presence.value, reason, self.clock())
        )
        return web.json_response({"id": phone.id, "presence": presence.value}, status=202)

    # --- reason codes -------------------------------------------------------------------------

    async def get_reasons(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.READ)
        call_id = request.match_info["call_id"]
        if await self.desk.call(call_id) is None:
            fail(web.HTTPNotFound, f"no call {call_id!r} in the call log")
        return web.json_response(self._reasons_json(await self.desk.reasons(call_id)))

    async def post_reason(self, request: web.Request) -> web.Response:
        by = self.authorize(request, Access.DESK)
        call_id = request.match_info["call_id"]
        body = await body_of(request, ReasonBody)
        if not self.settings.knows_code(body.code):
            fail(web.HTTPUnprocessableEntity, f"code: {body.code!r} is not a configured code")
        try:
            added = await self.desk.add_reason(call_id, body.code, by, self.clock())
        except UnknownCall:
            fail(web.HTTPNotFound, f"no call {call_id!r} in the call log")
        reasons = self._reasons_json(await self.desk.reasons(call_id))
        return web.json_response(reasons, status=201 if added else 200)

    async def delete_reason(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.DESK)
        call_id, code = request.match_info["call_id"], request.match_info["code"]
        if not await self.desk.remove_reason(call_id, code):
            fail(web.HTTPNotFound, f"call {call_id!r} has no code {code!r}")
        return web.json_response(self._reasons_json(await self.desk.reasons(call_id)))

    @staticmethod
    def _reasons_json(reasons: list[Any]) -> dict[str, Any]:
        return {"reasons": [views.reason_view(r) for r in reasons]}

    # --- messages and callbacks ---------------------------------------------------------------

    async def post_message(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.DESK)
        body = await body_of(request, MessageBody)
        self._phone(body.telephonist, status=web.HTTPUnprocessableEntity)
        now = self.clock()
        if body.callback_due is not None and body.callback_due <= now:
            fail(web.HTTPUnprocessableEntity, "callback_due: must be in the future")
        try:
            message = await self.desk.add_message(
                body.call_id, body.caller_number, body.caller_name, body.note,
                body.callback_due, body.telephonist, now,
            )  # fmt: skip
        except UnknownCall:
            fail(web.HTTPNotFound, f"no call {body.call_id!r} in the call log")
        callback = None
        if body.callback_due is not None:
            promise = NewCallback(
                message.caller_number, message.caller_name, CallbackSource.PROMISE, now,
                body.callback_due, body.call_id, message.id,
            )  # fmt: skip
            callback = views.callback_view(await self.desk.add_callback(promise), now)
        out = {"message": views.message_view(message), "callback": callback}
        return web.json_response(out, status=201)

    async def get_messages(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.READ)
        messages = await self.desk.messages(since=self.clock() - timedelta(hours=24))
        return web.json_response({"messages": [views.message_view(m) for m in messages]})

    async def get_callbacks(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.READ)
        now = self.clock()
        entries = await self.desk.callbacks(closed_since=now - timedelta(hours=12))
        return web.json_response(
            {"now": views.iso(now), "callbacks": [views.callback_view(e, now) for e in entries]}
        )

    async def post_claim(self, request: web.Request) -> web.Response:
        async def claim(entry_id: int, body: ClaimBody, now: datetime, override: bool) -> Callback:
            return await self.desk.claim_callback(
                entry_id, body.telephonist, now, override=override
            )

        return await self._change_callback(request, ClaimBody, claim)

    async def post_close(self, request: web.Request) -> web.Response:
        async def close(entry_id: int, body: CloseBody, now: datetime, override: bool) -> Callback:
            return await self.desk.close_callback(
                entry_id, body.result, body.telephonist, now, override=override
            )

        return await self._change_callback(request, CloseBody, close)

    async def _change_callback(
        self,
        request: web.Request,
        model: type[ClaimedBy],
        change: Callable[[int, ClaimedBy, datetime, bool], Awaitable[Callback]],
    ) -> web.Response:
        """Claim or close one worklist entry: 404 for an unknown one, 409 when refused."""
        self.authorize(request, Access.DESK)
        entry_id = int_id(request.match_info["cid"])
        body = await body_of(request, model)
        self._phone(body.telephonist, status=web.HTTPUnprocessableEntity)
        now = self.clock()
        try:
            entry = await change(entry_id, body, now, self._supervisor(request))
        except UnknownId as unknown:
            fail(web.HTTPNotFound, str(unknown))
        except CallbackRefused as refused:
            fail(web.HTTPConflict, str(refused))
        return web.json_response(views.callback_view(entry, now))

    # --- directory and closures ---------------------------------------------------------------

    async def get_directory(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.READ)
        query = request.query.get("q", "")[:100]
        departments = self.router.switchboard.departments
        found = search(departments, self._hours, query, self.clock())
        return web.json_response({"departments": [views.directory_view(e) for e in found]})

    async def get_closures(self, request: web.Request) -> web.Response:
        self.authorize(request, Access.READ)
        closures = await self.desk.closures_in_force(self.clock())
        return web.json_response({"closures": [views.closure_view(c) for c in closures]})

    async def post_closure(self, request: web.Request) -> web.Response:
        by = self.authorize(request, Access.SUPERVISOR)
        body = await body_of(request, ClosureBody)
        if self.router.hours_of(body.scope) is None:
            fail(web.HTTPUnprocessableEntity, f"scope: no department {body.scope!r}")
        now = self.clock()
        if body.end <= now:
            fail(web.HTTPUnprocessableEntity, "end: must be in the future")
        stored = await self.desk.add_closure(body.scope, body.start, body.end, body.note, by, now)
        self.controller.post(
            ev.ClosureRegistered(
                stored.closure_id, stored.scope, stored.start, stored.end, stored.note, by, now
            )
        )
        return web.json_response(views.closure_view(stored), status=201)

    async def delete_closure(self, request: web.Request) -> web.Response:
        by = self.authorize(request, Access.SUPERVISOR)
        closure_id, now = int_id(request.match_info["cid"]), self.clock()
        try:
            stored = await self.desk.cancel_closure(closure_id, by, now)
        except UnknownId as unknown:
            fail(web.HTTPNotFound, str(unknown))
        self.controller.post(ev.ClosureCancelled(stored.closure_id, stored.scope, by, now))
        return web.json_response(views.closure_view(stored))

    # --- helpers ------------------------------------------------------------------------------

    def _supervisor(self, request: web.Request) -> bool:
        """A supervisor may take over or close an entry someone else claimed."""
        try:
            self.authorize(request, Access.SUPERVISOR)
        except web.HTTPException:
            return False
        return True

    def _phone(self, tid: str, status: type[web.HTTPException] = web.HTTPNotFound) -> PhoneState:
        phone = self.router.floor.phones.get(tid)
        if phone is None:
            fail(status, f"no telephonist {tid!r}")
        return phone

    def _hours(self, department_id: str) -> OpeningHours:
        hours = self.router.hours_of(department_id)
        assert hours is not None  # departments come from the same switchboard
        return hours

    def _dialled(self) -> dict[str, str]:
        names = {d.id: d.name for d in self.router.switchboard.departments}
        return {
            e.number: SWITCHBOARD_SCOPE if e.department is None else names[e.department]
            for e in self.router.switchboard.entries
        }
