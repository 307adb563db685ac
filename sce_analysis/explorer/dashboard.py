"""The explorer as a code-free dashboard: the explorer notebook served by Voila, on 127.0.0.1 by default.

``sce-analysis dashboard`` writes a copy of ``notebooks/10-explorer.ipynb`` with its parameters set
(:func:`dashboard_notebook`) into a temporary folder and serves it with Voila
(:func:`voila_command`), bound to the loopback address, with sources stripped and tracebacks off.

On a shared machine: another host than the loopback address is refused unless a token is set
(:func:`dashboard_token`: ``--token`` draws a random one, or ``SCE_DASHBOARD_TOKEN`` gives one).
With a token, a request without it gets 403 Forbidden
(:class:`~sce_analysis.explorer.voila_auth.TokenRequiredIdentityProvider`). The token never goes on
a command line, where other users could read it with ``ps``: Voila reads it from ``voila.json`` in
the temporary folder, readable by its owner only (:func:`write_voila_config`).
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import ParameterError
from ..publish.disclosure import DEFAULT_MIN_AREAS, DEFAULT_THRESHOLD
from ..publish.policy import Policy
from ..reports.parameters import read_parameters
from ..reports.runner import NOTEBOOK_DIR

__all__ = [
    "EXPLORER_NOTEBOOK",
    "TOKEN_ENV",
    "dashboard_notebook",
    "dashboard_token",
    "voila_command",
    "write_voila_config",
    "serve_dashboard",
]

#: The explorer notebook that the dashboard serves.
EXPLORER_NOTEBOOK = "10-explorer.ipynb"
#: The environment variable that gives the dashboard's token (an environment, unlike a command line,
#: is readable by its owner only).
TOKEN_ENV = "SCE_DASHBOARD_TOKEN"
#: The identity provider that answers 403 to a request without the token.
IDENTITY_PROVIDER = "sce_analysis.explorer.voila_auth.TokenRequiredIdentityProvider"


def _is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def dashboard_token(host: str = "127.0.0.1", *, token: bool = False, environ=None) -> str | None:
    """The token the dashboard will ask for, or None for none.

    The token is ``environ[TOKEN_ENV]`` when that is set, else a new random one when ``token`` is
    true. A host other than the loopback address (``127.0.0.1``, ``::1``, ``localhost``) is refused
    without a token: anyone who can reach the machine could otherwise read the dashboard.

    >>> dashboard_token("127.0.0.1", environ={}) is None
    True
    >>> dashboard_token("0.0.0.0", environ={"SCE_DASHBOARD_TOKEN": "s3cret-token-of-length"})
    's3cret-token-of-length'
    """
    return _token_and_source(host, token=token, environ=environ)[0]


def _token_and_source(host: str, *, token: bool, environ=None) -> tuple[str | None, str | None]:
    """:func:`dashboard_token`'s token, and where it came from: ``"environment"``, ``"random"`` or None."""
    environ = os.environ if environ is None else environ
    value = environ.get(TOKEN_ENV, "").strip()
    if value:
        if len(value) < 16:
            raise ParameterError(f"{TOKEN_ENV} is too short ({len(value)} characters): use at least 16.")
        return value, "environment"
    if token:
        return secrets.token_urlsafe(24), "random"
    if not _is_loopback(host):
        raise ParameterError(
            f"host {host!r} would let anyone who can reach this machine read the dashboard; it is refused "
            f"without a token. Add --token (a random token, printed in the URL) or set {TOKEN_ENV}, or leave "
            "out --host to serve on 127.0.0.1 only."
        )
    return None, None


def write_voila_config(folder, token: str) -> Path:
    """Write ``voila.json`` with the token into ``folder`` (Voila's working folder), readable by its owner only.

    The file is created here and must not exist yet (FileExistsError): made with mode 0o600, which the
    umask can only narrow, it is never readable by others, not even for a moment.
    """
    path = Path(folder) / "voila.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        json.dump({"Voila": {"token": token}}, stream)
    return path


def dashboard_notebook(
    data_dir,
    folder,
    *,
    publication: bool = False,
    suppress_below: int = DEFAULT_THRESHOLD,
    min_areas: int = DEFAULT_MIN_AREAS,
    notebook=None,
) -> Path:
    """Write a copy of the explorer notebook into ``folder`` with its parameters set, for Voila to serve.

    The values go into a cell tagged ``injected-parameters`` after the ``parameters`` cell (as
    papermill does); ``data_dir`` is made absolute, so the copy runs from any folder.

    Returns
    -------
    Path
        The notebook written.
    """
    import nbformat

    source = Path(notebook) if notebook is not None else NOTEBOOK_DIR / EXPLORER_NOTEBOOK
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise ParameterError(f"data: {str(data_dir)!r} is not a folder; give the review-set folder with --data.")
    read_parameters(source)  # a malformed parameters cell fails here, before a server starts
    nb = nbformat.read(source, as_version=4)
    policy = Policy(publication=bool(publication), threshold=suppress_below, min_areas=min_areas)  # checks them
    values = {
        "data_dir": str(data_dir),
        "publication": policy.publication,
        "suppress_below": policy.threshold,
        "min_areas": policy.min_areas,
    }
    lines = "\n".join(f"{name} = {value!r}" for name, value in values.items())
    cell = nbformat.v4.new_code_cell(f"# Injected by sce-analysis dashboard\n{lines}")
    cell.metadata["tags"] = ["injected-parameters"]
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, cell)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    nbformat.write(nb, target)
    return target


def voila_command(notebook, *, port: int, host: str = "127.0.0.1", token: bool = False) -> list[str]:
    """The command that serves ``notebook`` with Voila on ``host`` (127.0.0.1 only by default), with no code shown.

    With ``token``, a request without the token gets 403; the token itself is not on the command line
    but in ``voila.json`` in Voila's working folder (:func:`write_voila_config`).
    """
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={int(port)}",
        "--no-browser",
        f"--Voila.ip={host}",
        "--strip_sources=True",
        "--show_tracebacks=False",
    ]
    if token:
        command.append(f"--Voila.identity_provider_class={IDENTITY_PROVIDER}")
    return command


def serve_dashboard(
    data_dir,
    *,
    port: int = 8866,
    host: str = "127.0.0.1",
    token: bool = False,
    publication: bool = False,
    suppress_below: int = DEFAULT_THRESHOLD,
    min_areas: int = DEFAULT_MIN_AREAS,
    stream=None,
) -> int:
    """Serve the explorer on ``data_dir`` as a code-free Voila dashboard (on 127.0.0.1 by default); print its URL.

    ``host`` other than the loopback address needs a token (:func:`dashboard_token`). Runs until Voila
    stops or the user presses Ctrl-C; returns Voila's exit status (0 after Ctrl-C).
    """

    stream = stream if stream is not None else sys.stdout
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ParameterError(f"port must be a whole number from 1 to 65535, not {port!r}.")
    secret, origin = _token_and_source(host, token=token)
    with tempfile.TemporaryDirectory(prefix="sce-dashboard-") as folder:
        notebook = dashboard_notebook(
            data_dir, folder, publication=publication, suppress_below=suppress_below, min_areas=min_areas
        )
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}/"
        if secret is not None:
            write_voila_config(folder, secret)
            url += f"?token=<the value of ${TOKEN_ENV}>" if origin == "environment" else f"?token={secret}"
        print(f"Dashboard: {url}  (Ctrl-C stops it)", file=stream, flush=True)
        env = {name: value for name, value in os.environ.items() if name != TOKEN_ENV}  # not for the kernel
        process = subprocess.Popen(
            voila_command(notebook, port=port, host=host, token=secret is not None), cwd=folder, env=env
        )
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return 0
