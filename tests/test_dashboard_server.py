"""``sce-analysis dashboard`` on a shared machine, against the real Voila server it starts.

- By default it listens on 127.0.0.1 only: its listening socket is on the loopback address, and the
  machine's other addresses refuse the connection.
- Another ``--host`` is refused without a token, with a message that says what to do.
- With a token (``SCE_DASHBOARD_TOKEN`` or ``--token``), a request without it gets 403 Forbidden, the
  URL with it gets the dashboard, and the token is on no process's command line.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from conftest import SAMPLE
from test_browser import SERVER_START_S, _free_port, _jupyter_env

from sce_analysis.cli import main
from sce_analysis.errors import ParameterError
from sce_analysis.explorer.dashboard import (
    IDENTITY_PROVIDER,
    TOKEN_ENV,
    dashboard_token,
    serve_dashboard,
    voila_command,
    write_voila_config,
)

TOKEN = "planted-token-" + "7" * 24


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Dashboard:
    """``python -m sce_analysis dashboard ...`` in its own session, stopped with Ctrl-C (SIGINT) as a user would."""

    def __init__(self, tmp_path, *options, token_env: str | None = None):
        env = _jupyter_env(tmp_path / "jupyter")
        env.pop(TOKEN_ENV, None)
        if token_env is not None:
            env[TOKEN_ENV] = token_env
        self.port = _free_port()
        command = [sys.executable, "-m", "sce_analysis", "dashboard", "--data", str(SAMPLE), "--port", str(self.port)]
        self.out = tmp_path / "dashboard.log"
        with open(self.out, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [*command, *options], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the dashboard stopped:\n{self.log()}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"the dashboard did not start:\n{self.log()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def voila(self) -> psutil.Process:
        (voila,) = [p for p in psutil.Process(self.process.pid).children() if "voila" in " ".join(p.cmdline())]
        return voila

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C: the command stops Voila itself
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def dashboards(tmp_path):
    started: list[Dashboard] = []

    def start(*options, token_env=None):
        started.append(Dashboard(tmp_path / str(len(started)), *options, token_env=token_env))
        return started[-1]

    try:
        yield start
    finally:
        for dashboard in started:
            dashboard.stop()


def _other_addresses() -> list[str]:
    """This machine's IPv4 addresses other than the loopback ones."""
    return [
        address.address
        for addresses in psutil.net_if_addrs().values()
        for address in addresses
        if address.family == socket.AF_INET and not address.address.startswith("127.")
    ]


def test_the_default_dashboard_listens_on_the_loopback_address_only(dashboards):
    dashboard = dashboards()
    voila = dashboard.voila()
    assert "--Voila.ip=127.0.0.1" in voila.cmdline()
    listening = {c.laddr for c in voila.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    assert listening and {address.port for address in listening} == {dashboard.port}
    assert {address.ip for address in listening} == {"127.0.0.1"}
    for address in _other_addresses():
        with pytest.raises(OSError), socket.create_connection((address, dashboard.port), timeout=5):
            pass
    # A brand-new connection from this machine works, without a token: the loopback default needs none.
    assert _status(dashboard.url + "voila/static/voila.js") == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "dashboard.example.org"])
def test_another_host_is_refused_without_a_token(host, monkeypatch, capsys):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["dashboard", "--data", str(SAMPLE), "--host", host]) == 1
    error = capsys.readouterr().err
    assert f"host {host!r} would let anyone who can reach this machine read the dashboard" in error
    assert "--token" in error and TOKEN_ENV in error


def test_the_token_comes_from_the_environment_or_is_drawn_at_random():
    for host in ("127.0.0.1", "::1", "localhost"):
        assert dashboard_token(host, environ={}) is None
    assert dashboard_token("0.0.0.0", environ={TOKEN_ENV: TOKEN}) == TOKEN
    drawn = {dashboard_token("0.0.0.0", token=True, environ={}) for _ in range(3)}
    assert len(drawn) == 3 and all(len(token) >= 32 for token in drawn)
    with pytest.raises(ParameterError, match="too short"):
        dashboard_token("0.0.0.0", environ={TOKEN_ENV: "abc"})
    # voila_command is given only whether there is a token, never the token: the command lines of the
    # running processes are checked in test_with_a_token_a_request_without_it_gets_403. With a token,
    # Voila is told to refuse requests without it.
    provider = "--Voila.identity_provider_class=" + IDENTITY_PROVIDER
    command = voila_command("x.ipynb", port=1, token=True)
    assert not any(TOKEN in part for part in command)
    assert provider in command
    assert not any(part.startswith("--Voila.identity_provider_class") for part in voila_command("x.ipynb", port=1))


def test_the_token_file_is_made_readable_by_its_owner_only(tmp_path):
    old = os.umask(0)  # the most permissive umask: the mode given at creation must hold by itself
    try:
        path = write_voila_config(tmp_path, TOKEN)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert TOKEN in path.read_text(encoding="utf-8")
    with pytest.raises(FileExistsError):  # never rewritten in place, where an old mode would stay
        write_voila_config(tmp_path, TOKEN)


@pytest.mark.parametrize(("value", "printed"), [(TOKEN, False), ("   ", True), (None, True)])
def test_the_url_printed_has_the_token_unless_it_came_from_the_environment(value, printed, monkeypatch, tmp_path):
    """A blank SCE_DASHBOARD_TOKEN gives no token, so --token draws one: the URL must then show it."""
    if value is None:
        monkeypatch.delenv(TOKEN_ENV, raising=False)
    else:
        monkeypatch.setenv(TOKEN_ENV, value)
    configs = []

    class Voila:  # stands in for the server: it notes the token it would be given, and stops at once
        def __init__(self, command, *, cwd, env):
            configs.append(Path(cwd, "voila.json").read_text(encoding="utf-8"))

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(subprocess, "Popen", Voila)
    stream = io.StringIO()
    assert serve_dashboard(SAMPLE, port=1, host="0.0.0.0", token=True, stream=stream) == 0
    (config,) = configs
    token = json.loads(config)["Voila"]["token"]
    (line,) = stream.getvalue().splitlines()
    assert line.startswith("Dashboard: http://0.0.0.0:1/?token=")
    if printed:
        assert f"?token={token} " in line and len(token) >= 32
    else:
        assert token == TOKEN and TOKEN not in line and f"<the value of ${TOKEN_ENV}>" in line


@pytest.mark.parametrize("source", ["environment", "--token"])
def test_with_a_token_a_request_without_it_gets_403(dashboards, source):
    if source == "environment":
        dashboard, token = dashboards(token_env=TOKEN), TOKEN
    else:
        dashboard = dashboards("--token")
        (line,) = [line for line in dashboard.log().splitlines() if line.startswith("Dashboard: ")]
        token = line.split("?token=")[1].split()[0]
        assert len(token) >= 32
    for path in ("", "?token=wrong", "login", "api/kernels", "tree", "voila/render/10-explorer.ipynb"):
        assert _status(dashboard.url + path) == 403, path
    assert "This dashboard needs its token" in dashboard.log()
    with urllib.request.urlopen(f"{dashboard.url}?token={token}", timeout=120) as response:
        assert response.status == 200
        assert "Explorer" in response.read().decode("utf-8")  # the rendered notebook
    # The token is on no command line that others on the machine could read with ps ...
    processes = [psutil.Process(dashboard.process.pid), *psutil.Process(dashboard.process.pid).children(True)]
    assert len(processes) >= 3  # the command, Voila and the kernel
    for process in processes:
        assert token not in " ".join(process.cmdline())
    # ... and SCE_DASHBOARD_TOKEN is not passed on to the kernel (Voila itself gives the kernel the URL of
    # the request in QUERY_STRING; an environment is readable by its owner only); Voila reads the token
    # from a file only its owner can read.
    kernel = dashboard.voila().children()[0]
    assert TOKEN_ENV not in kernel.environ() and TOKEN_ENV not in dashboard.voila().environ()
    config = next(p for p in (os.path.dirname(a) for a in dashboard.voila().cmdline() if a.endswith(".ipynb")))
    mode = os.stat(os.path.join(config, "voila.json")).st_mode
    assert stat.S_IMODE(mode) == 0o600
    if source == "environment":
        assert token not in dashboard.log()  # not printed either
