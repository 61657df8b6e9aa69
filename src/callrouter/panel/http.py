"""JSON errors and request bodies for the panel's handlers."""

from __future__ import annotations

import json
from typing import NoReturn

from aiohttp import web

from callrouter.panel.payloads import BadPayload, Body, parse


def fail(status: type[web.HTTPException], message: str) -> NoReturn:
    raise status(text=json.dumps({"error": message}), content_type="application/json")


async def body_of(request: web.Request, model: type[Body]) -> Body:
    """The request's JSON body checked against `model`: 400 if not JSON, 422 if not right."""
    try:
        raw = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        fail(web.HTTPBadRequest, "the body is not valid JSON")
    try:
        return parse(model, raw)
    except BadPayload as bad:
        fail(web.HTTPUnprocessableEntity, str(bad))


def int_id(text: str) -> int:
    if not text.isdigit() or len(text) > 12:
        fail(web.HTTPNotFound, f"no such id {text!r}")
    return int(text)
