"""`callrouter run` serves HTTP beside the controller and stops it with the controller; a port
that cannot be bound stops `run` with a clear message. (The PBX port points at nothing, so no
Asterisk is involved: the controller keeps retrying, and /metrics says the link is down.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from callrouter.sandbox.configs import sandbox_config
from callrouter.web.tokens import hash_token

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "wall.read-only-secret-00001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(tmp_path: Path, web: dict[str, Any]) -> Path:
    config = sandbox_config(tmp_path / "log.sqlite3", telephonists=1)
    config["pbx"]["port"] = free_port()  # nothing listens there
    config["logging"] = {"format": "json", "level": "info"}
    config["web"] = web
    path = tmp_path / "callrouter.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def run(path: Path) -> subprocess.Popen[str]:
    env = os.environ | {"CALLROUTER_AMI_SECRET": "x"}
    command = [sys.executable, "-m", "callrouter.cli", "run", "--config", str(path)]
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def get(url: str) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (local http)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local http)
        return response.status, response.read().decode()


def test_run_serves_the_api_and_metrics_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    token = {"name": "wall", "role": "read_only", "hash": str(hash_token(TOKEN, n=1024))}
    process = run(write_config(tmp_path, {"port": 0, "tokens": [token]}))
    try:
        assert process.stderr is not None
        for line in process.stderr:
            record = json.loads(line)
            if record["event"] == "web_server_listening":
                break
        base = f"http://127.0.0.1:{record['port']}"
        status, body = get(base + "/api/whoami")
        assert (200, {"name": "wall", "role": "read_only", "telephonist": None}) == (
            status, json.loads(body))  # fmt: skip
        status, metrics = get(base + "/metrics")
        assert "callrouter_pbx_connected 0.0" in metrics.splitlines()
        process.send_signal(signal.SIGTERM)
        rest = process.stderr.read()
        assert 0 == process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "controller_stopped" in rest


def test_run_stops_with_a_clear_message_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        path = write_config(tmp_path, {"port": port})
        process = run(path)
        _, err = process.communicate(timeout=30)
    assert 2 == process.returncode
    assert f"{path}: web: cannot listen on 127.0.0.1:{port}: " in err
