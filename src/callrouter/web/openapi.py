"""The OpenAPI document the server serves at /openapi.json: the panel's paths and the server's."""

from __future__ import annotations

from typing import Any

from callrouter.panel import panel_paths

_AUTH = {401: "no or unknown token", 403: "the token's role may not do this"}

# (path, role, summary, content type, answers); all GET
SERVER_OPERATIONS: tuple[tuple[str, str, str, str, dict[int, str]], ...] = (
    ("/", "public", "The supervisor wallboard (HTML; its data comes from /api/wallboard)",
     "text/html", {200: "the page"}),
    ("/wallboard.js", "public", "The wallboard's script", "application/javascript",
     {200: "the script"}),
    ("/api/wallboard", "read", "Everything the wallboard shows, now: calls waiting, "
     "telephonists, today's KPIs against targets, departments open, alerts", "application/json",
     {200: "the board", **_AUTH}),
    ("/api/wallboard/events", "read", "Server-sent events: a `board` event with the same JSON as "
     "/api/wallboard after each PBX event or change (and every 5 s)", "text/event-stream",
     {200: "the stream", **_AUTH}),
    ("/metrics", "read", "Prometheus metrics (names and labels: README, 'Metrics')",
     "text/plain", {200: "the metrics", **_AUTH}),
    ("/api/whoami", "read", "The token's name, role and telephonist", "application/json",
     {200: "who you are", **_AUTH}),
    ("/openapi.json", "public", "This document", "application/json", {200: "the document"}),
    ("/panel", "public", "The telephonist panel (HTML; its data comes from /api/panel/...)",
     "text/html", {200: "the page"}),
    ("/panel/panel.js", "public", "The panel's script", "application/javascript",
     {200: "the script"}),
)  # fmt: skip


def server_paths() -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for path, role, summary, content, answers in SERVER_OPERATIONS:
        operation: dict[str, Any] = {
            "summary": summary,
            "tags": ["supervision"],
            "x-role": role,
            "responses": {
                str(code): (
                    {"description": text, "content": {content: {}}}
                    if code == 200
                    else {"description": text}
                )
                for code, text in answers.items()
            },
        }
        if role == "public":
            operation["security"] = []
        paths[path] = {"get": operation}
    return paths


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "callrouter",
            "version": "1",
            "description": (
                "Live supervision and the telephonist panel. Send `Authorization: Bearer "
                "<token>`; roles: supervisor, telephonist (acts only for its own telephonist), "
                'read_only. Errors are JSON: {"error": "..."}.'
            ),
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {**server_paths(), **panel_paths()},
    }
