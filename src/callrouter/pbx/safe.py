"""Checks for every value that goes from outside into a PBX command.

AMI and ESL are line protocols: a CR or LF inside a value would start a new header or a new action
(header injection). Dialplan applications also split their arguments on commas and expand `$`. Each
kind of value therefore has a strict whitelist, and anything else is refused, never escaped.
"""

from __future__ import annotations

import re

_ONE_DIAL = r"[A-Za-z][A-Za-z0-9_]*/[A-Za-z0-9_.@+#*/:=-]+"
_DIAL = re.compile(rf"{_ONE_DIAL}(&{_ONE_DIAL})*")
_CHANNEL = re.compile(r"[A-Za-z][A-Za-z0-9_]*/[A-Za-z0-9_.@+#*/:;=-]+")
_SOUND = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_/-]*")
_TOKEN = re.compile(r"[A-Za-z0-9_.+:-]+")  # ids, extensions, unique ids, variable values
_MAX = 200


class UnsafeValue(ValueError):
    """A value from outside would change the meaning of a PBX command."""


def _check(kind: str, pattern: re.Pattern[str], value: str, example: str) -> str:
    if not isinstance(value, str) or len(value) > _MAX or not pattern.fullmatch(value):
        raise UnsafeValue(f"unsafe {kind} {value!r}: expected something like {example}")
    return value


def dial_string(value: str) -> str:
    """`PJSIP/1001`, `Local/tel1@phones/n`, `SIP/a&SIP/b`: no commas, spaces, `$` or line breaks."""
    return _check("dial string", _DIAL, value, "PJSIP/1001 or Local/tel1@phones/n")


def channel_name(value: str) -> str:
    return _check("channel name", _CHANNEL, value, "PJSIP/trunk-00000001")


def sound_name(value: str) -> str:
    return _check("sound name", _SOUND, value, "custom/closed-hours")


def token(value: str) -> str:
    return _check("token", _TOKEN, value, "1795392405.180")
