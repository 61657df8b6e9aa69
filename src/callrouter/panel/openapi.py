"""The panel's part of the OpenAPI document: every path of `PanelApi.routes()`, its role, its
request body (JSON Schema straight from the pydantic models that check it) and its answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from callrouter.panel.payloads import (
    ClaimBody,
    CloseBody,
    ClosureBody,
    MessageBody,
    PresenceBody,
    ReasonBody,
)

Operation = tuple[str, str, str, str, type[BaseModel] | None, dict[int, str]]
# (method, path, role, summary, body model, answers other than 401/403)

_ERRORS = {401: "no or unknown token", 403: "the token's role may not do this"}
_BAD = {400: "the body is not JSON", 422: "a field is wrong; `error` says which and why"}

OPERATIONS: tuple[Operation, ...] = (
    ("get", "/api/panel/settings", "read", "Reason codes, callback results, telephonists, "
     "departments and the callback rules", None, {200: "the settings"}),
    ("get", "/api/panel/telephonists/{tid}", "read", "A telephonist's presence, the call ringing "
     "for them, and the call they answered last (caller, wait, number dialled, codes)", None,
     {200: "the telephonist", 404: "unknown telephonist"}),
    ("post", "/api/panel/telephonists/{tid}/presence", "telephonist", "Log in, log out, pause "
     "with a reason, resume; routing applies it at once", PresenceBody,
     {202: "posted to the router", 404: "unknown telephonist", 409: "does not fit the "
      "current presence", **_BAD}),
    ("get", "/api/panel/calls/{call_id}/reasons", "read", "The reason codes on a call", None,
     {200: "the codes", 404: "unknown call"}),
    ("post", "/api/panel/calls/{call_id}/reasons", "telephonist", "Code a call with a configured "
     "reason code (who and when are stored)", ReasonBody,
     {201: "coded", 200: "already had the code", 404: "unknown call", **_BAD}),
    ("delete", "/api/panel/calls/{call_id}/reasons/{code}", "telephonist", "Take a code off",
     None, {200: "the remaining codes", 404: "the call has no such code"}),
    ("get", "/api/panel/messages", "read", "Messages and promises of the last 24 hours, newest "
     "first", None, {200: "the messages"}),
    ("post", "/api/panel/messages", "telephonist", "A message; with callback_due a callback "
     "promise, put on the worklist (one open entry per number)", MessageBody,
     {201: "stored", 404: "unknown call_id", **_BAD}),
    ("get", "/api/panel/callbacks", "read", "The callback worklist: open entries by due time "
     "(overdue marked), then those closed in the last 12 hours", None, {200: "the entries"}),
    ("post", "/api/panel/callbacks/{cid}/claim", "telephonist", "Claim an entry", ClaimBody,
     {200: "claimed", 404: "unknown entry", 409: "closed or claimed by another", **_BAD}),
    ("post", "/api/panel/callbacks/{cid}/close", "telephonist", "Close an entry with a result",
     CloseBody, {200: "closed", 404: "unknown entry", 409: "closed or claimed by another",
                 **_BAD}),
    ("get", "/api/panel/directory", "read", "Departments matching ?q= (name or task): function "
     "number, open now, today's hours, next opening, temporary closures", None,
     {200: "the departments"}),
    ("get", "/api/panel/closures", "read", "Runtime closures in force or to come", None,
     {200: "the closures"}),
    ("post", "/api/panel/closures", "supervisor", "Register a temporary closure of a department "
     "or the switchboard; routing honours it at once and after a restart", ClosureBody,
     {201: "registered", **_BAD}),
    ("delete", "/api/panel/closures/{cid}", "supervisor", "Cancel a runtime closure", None,
     {200: "cancelled", 404: "no such active closure"}),
)  # fmt: skip


def panel_paths() -> dict[str, dict[str, Any]]:
    """OpenAPI 3.1 `paths` for the panel (merge into the server's document)."""
    paths: dict[str, dict[str, Any]] = {}
    for method, path, role, summary, body, answers in OPERATIONS:
        operation: dict[str, Any] = {
            "summary": summary,
            "tags": ["panel"],
            "x-role": role,
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in _path_names(path)
            ],
            "responses": {
                str(code): {"description": text} for code, text in {**answers, **_ERRORS}.items()
            },
        }
        if path.endswith("/directory"):
            operation["parameters"].append(
                {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}}
            )
        if body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": body.model_json_schema()}},
            }
        paths.setdefault(path, {})[method] = operation
    return paths


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
