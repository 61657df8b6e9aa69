"""The AMI actions each PBX command becomes, and the values that are refused (never escaped)."""

from __future__ import annotations

import pytest

from callrouter.domain.commands import (
    ForgetFailOpenRecord,
    HoldCall,
    PlayAnnouncementAndHangUp,
    RingTarget,
)
from callrouter.domain.model import TargetKind
from callrouter.pbx import ami_actions
from callrouter.pbx.safe import UnsafeValue

CHANNEL = "PJSIP/trunk-0000002a"
SLOTS = ami_actions.DialSlots


def ring(dial: str = "PJSIP/1001", channel: str = CHANNEL, seconds: int = 20) -> RingTarget:
    return RingTarget("c1", channel, TargetKind.TELEPHONIST, "t1", dial, seconds)


def test_hold_call_redirects_to_the_wait_context() -> None:
    expected = [
        {
            "Action": "Redirect",
            "Channel": CHANNEL,
            "Context": "callrouter-wait",
            "Exten": "s",
            "Priority": "1",
        }
    ]
    assert expected == ami_actions.actions_for(HoldCall("c1", CHANNEL), SLOTS())


def test_the_first_ring_of_a_target_defines_its_dial_slot_then_redirects_to_it() -> None:
    expected = [
        {"Action": "Setvar", "Variable": "CALLROUTER_DIAL_1", "Value": "Local/tel1@phones/n,20"},
        {
            "Action": "Redirect",
            "Channel": CHANNEL,
            "Context": "callrouter-dial",
            "Exten": "1",
            "Priority": "1",
        },
    ]
    assert expected == ami_actions.actions_for(ring(dial="Local/tel1@phones/n"), SLOTS())


def test_later_rings_of_a_target_are_one_redirect_and_each_target_has_its_own_slot() -> None:
    """Latency: one AMI action per ring once the target is known on this connection."""
    slots = SLOTS()
    ami_actions.actions_for(ring(dial="PJSIP/1001"), slots)
    again = ami_actions.actions_for(ring(dial="PJSIP/1001", channel="PJSIP/trunk-2"), slots)
    other = ami_actions.actions_for(ring(dial="PJSIP/1002"), slots)
    longer = ami_actions.actions_for(ring(dial="PJSIP/1001", seconds=40), slots)
    assert [("Redirect", "1")] == [(a["Action"], a["Exten"]) for a in again]
    assert ["PJSIP/1002,20", "2"] == [other[0]["Value"], other[1]["Exten"]]
    assert ["PJSIP/1001,40", "3"] == [longer[0]["Value"], longer[1]["Exten"]]


def test_a_slot_whose_definition_was_refused_is_defined_again() -> None:
    slots = SLOTS()
    define, _ = ami_actions.actions_for(ring(), slots)
    slots.forget(define)
    assert ["Setvar", "Redirect"] == [a["Action"] for a in ami_actions.actions_for(ring(), slots)]


def test_closed_announcement_sets_the_recording_then_redirects_to_closed() -> None:
    command = PlayAnnouncementAndHangUp("c1", CHANNEL, "custom/closed-hours")
    expected = [
        {
            "Action": "Setvar",
            "Channel": CHANNEL,
            "Variable": "CALLROUTER_ANNOUNCEMENT",
            "Value": "custom/closed-hours",
        },
        {
            "Action": "Redirect",
            "Channel": CHANNEL,
            "Context": "callrouter-closed",
            "Exten": "s",
            "Priority": "1",
        },
    ]
    assert expected == ami_actions.actions_for(command, SLOTS())


def test_no_announcement_sets_an_empty_recording() -> None:
    setvar, _ = ami_actions.actions_for(PlayAnnouncementAndHangUp("c1", CHANNEL, None), SLOTS())
    expected = ""
    assert expected == setvar["Value"]


def test_heartbeat_sets_a_global_variable_without_a_channel() -> None:
    expected = {"Action": "Setvar", "Variable": "CALLROUTER_HEARTBEAT", "Value": "1795392405"}
    assert expected == ami_actions.heartbeat(1795392405)


def test_login_asks_only_for_call_and_user_events() -> None:
    expected = {
        "Action": "Login",
        "Username": "callrouter",
        "Secret": "s3cr3t",
        "Events": "call,user",
    }
    assert expected == ami_actions.login("callrouter", "s3cr3t")


INJECTIONS = [
    "PJSIP/1001\r\nAction: Originate",
    "PJSIP/1001\nAction: Originate",
    "PJSIP/1001\r",
    "PJSIP/1001,30,tT",
    "PJSIP/${EVIL}",
    "PJSIP/10 01",
    "",
    "PJSIP/1001\x00",
    "1001",
    "PJSIP/" + "1" * 300,
]


@pytest.mark.parametrize("dial", INJECTIONS)
def test_unsafe_dial_strings_are_refused(dial: str) -> None:
    with pytest.raises(UnsafeValue):
        ami_actions.actions_for(ring(dial=dial), SLOTS())


@pytest.mark.parametrize("channel", [*INJECTIONS, "PJSIP/trunk-01&PJSIP/x"])
def test_unsafe_channels_are_refused_for_every_command(channel: str) -> None:
    for command in (
        HoldCall("c1", channel),
        ring(channel=channel),
        PlayAnnouncementAndHangUp("c1", channel, None),
    ):
        with pytest.raises(UnsafeValue):
            ami_actions.actions_for(command, SLOTS())


@pytest.mark.parametrize(
    "announcement",
    ["closed\r\nAction: Originate", "closed,skip", "${EVIL}", "closed hours", "", "../../etc"],
)
def test_unsafe_announcements_are_refused(announcement: str) -> None:
    with pytest.raises(UnsafeValue):
        ami_actions.actions_for(PlayAnnouncementAndHangUp("c1", CHANNEL, announcement), SLOTS())


@pytest.mark.parametrize("seconds", [0, -5, 3601, True])
def test_unusable_ring_times_are_refused(seconds: int) -> None:
    with pytest.raises(UnsafeValue):
        ami_actions.actions_for(ring(seconds=seconds), SLOTS())


@pytest.mark.parametrize(
    ("username", "secret"),
    [("callrouter", "a\r\nAction: Originate"), ("call router", "x"), ("callrouter", "")],
)
def test_unsafe_login_values_are_refused(username: str, secret: str) -> None:
    with pytest.raises(UnsafeValue):
        ami_actions.login(username, secret)


def test_forgetting_a_fail_open_record_deletes_its_astdb_tree() -> None:
    expected = [{"Action": "DBDelTree", "Family": "callrouter_failopen/1795422402.31"}]
    actions = ami_actions.actions_for(ForgetFailOpenRecord("1795422402.31"), SLOTS())
    assert expected == actions


@pytest.mark.parametrize("call_id", ["1.2\r\nAction: DBDelTree", "x/..", "", "a b"])
def test_a_forged_call_id_never_reaches_db_del_tree(call_id: str) -> None:
    with pytest.raises(UnsafeValue):
        ami_actions.actions_for(ForgetFailOpenRecord(call_id), SLOTS())
