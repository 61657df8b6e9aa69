"""End-to-end fixtures: a real Asterisk 22 in a Debian sid chroot, and simulated people on it."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from callrouter.pbx.ami_failopen import FAMILY as FAIL_OPEN_FAMILY
from callrouter.sandbox.amiclient import SimAmi
from callrouter.sandbox.callers import reset_phones
from tests.e2e.harness import AMI_SECRET

ROOT = Path(__file__).resolve().parents[2]


def _ami_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 5038)) == 0


@pytest.fixture(scope="session")
def asterisk() -> Iterator[None]:
    """Start the sandboxed Asterisk once per test session (building the chroot if needed)."""
    started_here = not _ami_up()
    if started_here:
        env = {"CALLROUTER_AMI_SECRET": AMI_SECRET, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        subprocess.run(
            ["bash", str(ROOT / "scripts/asterisk-sandbox.sh"), "start"],
            check=True,
            env=env,
            timeout=900,
        )
    yield
    if started_here:
        subprocess.run(["bash", str(ROOT / "scripts/asterisk-sandbox.sh"), "stop"], check=False)


@pytest.fixture
async def sim(asterisk: None, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SimAmi]:
    monkeypatch.setenv("CALLROUTER_AMI_SECRET", AMI_SECRET)
    ami = SimAmi()
    await ami.connect()
    await reset_phones(ami)
    await _hang_up_everything(ami)
    yield ami
    await _hang_up_everything(ami)
    await ami.close()


async def _hang_up_everything(ami: SimAmi) -> None:
    """Each test starts on a quiet PBX, with an empty fail-open journal."""
    await ami.command("channel request hangup all")
    await asyncio.sleep(0.3)
    await ami.command(f"database deltree {FAIL_OPEN_FAMILY}")
