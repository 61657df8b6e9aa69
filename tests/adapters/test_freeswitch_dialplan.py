"""The shipped FreeSWITCH dialplan: no menus, and the contexts the adapter's commands name exist.

FreeSWITCH is not installable here, so the dialplan itself runs only in the optional test against
a real FreeSWITCH (test_freeswitch_real.py); these checks keep it and the adapter in step.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from callrouter.pbx import esl_commands as esl
from callrouter.pbx.esl_translate import INBOUND_CONTEXT

DIALPLAN = Path(__file__).resolve().parents[2] / "dialplan" / "freeswitch" / "callrouter.xml"
MENU_APPLICATIONS = {"play_and_get_digits", "read", "ivr", "bind_digit_action", "bind_meta_app"}


def parsed() -> ET.Element:
    return ET.parse(DIALPLAN).getroot()  # noqa: S314  # our own file in the repository


def actions(context: str) -> list[tuple[str, str]]:
    root = parsed()
    found = root.find(f"context[@name='{context}']")
    assert found is not None, context
    return [(a.get("application", ""), a.get("data", "")) for a in found.iter("action")]


def test_no_menu_or_digit_collection_anywhere_in_the_call_path() -> None:
    root = parsed()
    used = {a.get("application") for a in root.iter("action")}
    assert set() == used & MENU_APPLICATIONS


def test_the_offer_is_ring_ready_in_the_inbound_context_marked_for_the_esl_filter() -> None:
    apps = actions(INBOUND_CONTEXT)
    assert ("set", f"{esl.MARK_VARIABLE}=inbound") in apps
    assert apps.index(("set", f"{esl.MARK_VARIABLE}=inbound")) < apps.index(("ring_ready", ""))
    assert ("transfer", "failopen XML callrouter-failopen") == apps[-1]


def test_every_context_the_adapter_transfers_to_exists() -> None:
    for destination in (esl.WAIT, esl.CLOSED):
        exten, _, context = destination.split(" ")
        assert any(app == "ring_ready" or app == "answer" for app, _ in actions(context)), exten


def test_the_dialplan_reads_the_variables_the_adapter_sets() -> None:
    text = DIALPLAN.read_text(encoding="utf-8")
    assert f"${{{esl.ALIVE_VARIABLE}}}" in text
    assert f"${{{esl.ANNOUNCEMENT_VARIABLE}}}" in text
