"""Simulated callers and phones on the sandbox dialplan (extensions.conf in tests/asterisk)."""

from __future__ import annotations

from callrouter.sandbox.amiclient import SimAmi

PHONES = ("tel1", "tel2", "tel3", "tel4", "tel5")


async def place_call(
    ami: SimAmi,
    entry: str,
    name: str,
    number: str,
    patience: float,
    route: str = "callrouter-inbound",
) -> None:
    """A caller dials `entry` and hangs up after `patience` seconds unless someone hangs up first.

    The inbound channel as the PBX sees it is Local/<entry>@<route>-XXXXXXXX;2.
    """
    quoted = name.replace('"', "")
    fields = {
        "Action": "Originate",
        "Channel": f"Local/{entry}@simcallers",
        "Application": "Wait",
        "Data": f"{patience:g}",
        "Async": "true",
        "CallerID": f'"{quoted}" <{number}>',
        "Variable": f"SIM_ROUTE={route}",
    }
    reply = await ami.action(fields)
    if reply.get("Response") != "Success":
        raise RuntimeError(f"originate refused: {reply}")


async def set_phone(
    ami: SimAmi, phone: str, answer_after: float = 1, talk: float = 5, away: bool = False
) -> None:
    await ami.set_global(f"PHONE_{phone}_ANSWER_AFTER", f"{answer_after:g}")
    await ami.set_global(f"PHONE_{phone}_TALK", f"{talk:g}")
    await ami.set_global(f"PHONE_{phone}_AWAY", "1" if away else "0")


async def reset_phones(ami: SimAmi) -> None:
    for phone in PHONES:
        await set_phone(ami, phone)
    await ami.set_global("DEPT_ANSWER_AFTER", "2")
    await ami.set_global("DEPT_TALK", "4")
