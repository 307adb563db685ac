"""Killed runs lose nothing: a kill (SIGKILL) or a full disk in the middle of writing leaves the old
folder whole, no half-written folder that looks complete, and the next run cleans up and says so.

Kills are real: each run is a subprocess that dies by SIGKILL at a chosen point (the CSV writer is
patched to kill its own process after N files), or a report killed from outside with its kernels.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE

import sce_analysis as sce
from sce_analysis.errors import OutputError
from sce_analysis.reviewsets.atomic import LOCK_NAME, FolderLock

#: Runs the command line in a fresh process after patching pandas' CSV writer: ``kill`` after
#: ``after`` files dies by SIGKILL; ``full`` writes a few bytes of the next file and then fails
#: as a full disk does.
HARNESS = textwrap.dedent(
    """
    import errno, os, signal, sys
    import pandas as pd
    from sce_analysis.cli import main

    mode, after, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    original, done = pd.DataFrame.to_csv, []

    def patched(self, stream=None, *args, **kwargs):
        if mode == "full" and len(done) == after:
            stream.write("review_id,ye")
            raise OSError(errno.ENOSPC, "No space left on device")
        result = original(self, stream, *args, **kwargs)
        done.append(1)
        if mode == "kill" and len(done) == after:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    pd.DataFrame.to_csv = patched
    sys.exit(main(argv))
    """
)


ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run(code: str, *argv, timeout=120) -> subprocess.CompletedProcess:
    """Run Python ``code`` in a new process; ``.pid`` is its process id."""
    process = subprocess.Popen(
        [sys.executable, "-c", code, *map(str, argv)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = process.communicate(timeout=timeout)
    result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    result.pid = process.pid
    return result


def run_cli(*argv, mode="none", after=0) -> subprocess.CompletedProcess:
    return run(HARNESS, mode, after, *argv)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.fixture
def old_set(tmp_path) -> Path:
    """A review-set folder (the Midlands of the sample) that the runs below try to replace."""
    return sce.load(SAMPLE).filter(regions=["Midlands"]).save(tmp_path / "set")


def _identity_map(path: Path) -> Path:
    codes = sce.load(SAMPLE).taxonomy["factor_code"]
    path.write_text("source_code,target_code\n" + "".join(f"{c},{c}\n" for c in codes))
    return path


def _two_halves(tmp_path: Path) -> list[Path]:
    rs = sce.load(SAMPLE)
    regions = sorted(rs.reviews["region"].unique())
    return [
        rs.filter(regions=regions[:2]).save(tmp_path / "first"),
        rs.filter(regions=regions[2:]).save(tmp_path / "second"),
    ]


def _commands(kind: str, tmp_path: Path, out: Path) -> list:
    if kind == "convert":
        return ["convert", SAMPLE, "--out", out, "--overwrite"]
    if kind == "crosswalk":
        return ["crosswalk", SAMPLE, "--map", _identity_map(tmp_path / "map.csv"), "--out", out, "--overwrite"]
    if kind == "combine":
        return ["combine", *_two_halves(tmp_path), "--out", out, "--overwrite"]
    from test_excel import fill  # a filled coding workbook, as in the Excel tests

    from sce_analysis.exchange.excel import write_template

    rs = sce.load(SAMPLE)
    template = write_template(tmp_path / "template.xlsx", taxonomy=rs)
    book = fill(template, tmp_path / "book.xlsx", rs, rs.reviews["review_id"].head(5).tolist())
    return ["import-excel", book, "--out", out, "--overwrite"]


@pytest.mark.parametrize("kind", ["convert", "crosswalk", "combine", "import-excel"])
def test_a_write_killed_midway_leaves_the_old_set_and_the_next_run_cleans_up(kind, old_set, tmp_path):
    before = snapshot(old_set)
    command = _commands(kind, tmp_path, old_set)
    killed = run_cli(*command, mode="kill", after=1)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert snapshot(old_set) == before, "the old set is whole"
    staging = f".set.staging-{killed.pid}"
    assert hidden(tmp_path) == [staging], "only the staging folder of the killed run is left"
    again = run_cli(*command)
    assert again.returncode == 0, again.stderr
    assert f"removed {tmp_path / staging}, left by a run (pid {killed.pid})" in again.stderr
    assert hidden(tmp_path) == [] and snapshot(old_set) != before
    sce.load(old_set)  # the new set is whole


def test_a_full_disk_names_the_file_and_changes_nothing(old_set, tmp_path):
    before = snapshot(old_set)
    full = run_cli("convert", SAMPLE, "--out", old_set, "--overwrite", mode="full", after=2)
    assert full.returncode == 1
    assert f"the disk is full while writing {old_set / 'factors.csv'}" in full.stderr
    assert "nothing was changed" in full.stderr and "free space" in full.stderr and "Traceback" not in full.stderr
    assert snapshot(old_set) == before and hidden(tmp_path) == []
    new = run_cli("convert", SAMPLE, "--out", tmp_path / "new", mode="full", after=0)
    assert new.returncode == 1 and "was not made" in new.stderr
    assert not (tmp_path / "new").exists() and hidden(tmp_path) == []


def test_a_full_disk_in_save_leaves_the_files_as_they_were(old_set, monkeypatch):
    import errno

    import pandas as pd

    before = snapshot(old_set)
    original, calls = pd.DataFrame.to_csv, []

    def full(self, stream=None, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, stream, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(OutputError, match="the disk is full while writing .*factors.csv: nothing in .* was replaced"):
        sce.load(SAMPLE).save(old_set)
    assert snapshot(old_set) == before, "no temporary file is left, and no file was replaced"


def test_a_save_killed_midway_leaves_the_files_and_the_next_save_removes_its_leftovers(old_set):
    before = snapshot(old_set)
    script = f"import sce_analysis as sce; sce.load({str(SAMPLE)!r}).save({str(old_set)!r})"
    result = run(HARNESS.replace("sys.exit(main(argv))", script), "kill", 2)
    assert result.returncode == -signal.SIGKILL
    leftovers = [name for name in snapshot(old_set) if name not in before]
    assert len(leftovers) == 2 and all(name.startswith(".") and f".staging-{result.pid}-" in name for name in leftovers)
    assert {name: snapshot(old_set)[name] for name in before} == before, "no file of the old set was touched"
    sce.load(SAMPLE).save(old_set)
    assert sorted(snapshot(old_set)) == sorted(before)


def test_a_swap_killed_between_its_renames_is_undone_by_the_next_run(old_set, tmp_path):
    from sce_analysis.reviewsets import atomic

    before = snapshot(old_set)
    # Where folders cannot be exchanged in one step, the old one is renamed aside first.
    code = HARNESS.replace(
        "pd.DataFrame.to_csv = patched",
        "from sce_analysis.reviewsets import atomic\n"
        "atomic._exchange = lambda a, b: False\n"
        "rename = os.rename\n"
        "def dying(a, b):\n"
        "    rename(a, b)\n"
        "    if '.old-' in str(b): os.kill(os.getpid(), signal.SIGKILL)\n"
        "os.rename = dying",
    )
    assert run(code, "none", 0, "convert", SAMPLE, "--out", old_set, "--overwrite").returncode == -signal.SIGKILL
    assert not old_set.exists()
    messages = atomic.clear_stale(old_set, log=lambda line: None)
    assert any(line.startswith(f"restored {old_set}") for line in messages)
    assert snapshot(old_set) == before and hidden(tmp_path) == []


def test_one_clearing_removes_what_killed_runs_left_beside_a_folder_and_in_it(old_set, tmp_path):
    """A killed write leaves a staging folder beside the set, a killed save temporary files in it: both go, with
    a line each; what a running process (here the one that started this test) is writing stays."""
    from sce_analysis.reviewsets import atomic

    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    dead, alive = finished.pid, os.getppid()
    before = snapshot(old_set)
    (tmp_path / f".set.staging-{dead}").mkdir()
    (old_set / f".reviews.staging-{dead}-x1y2.tmp").write_text("review_id,ye")
    (old_set / f".reviews.staging-{alive}-z3w4.tmp").write_text("review_id,ye")
    said = []
    lines = atomic.clear_stale(old_set, log=said.append)
    stopped = "that was stopped before it finished"
    assert lines == said
    assert said == [
        f"removed {tmp_path / f'.set.staging-{dead}'}, left by a run (pid {dead}) {stopped}",
        f"removed {old_set / f'.reviews.staging-{dead}-x1y2.tmp'}, left by a save (pid {dead}) {stopped}",
    ]
    assert hidden(tmp_path) == []
    assert sorted(snapshot(old_set)) == sorted([*before, f".reviews.staging-{alive}-z3w4.tmp"])


# --------------------------------------------------------------------------- the lock


def test_a_lock_refuses_a_second_holder_and_a_dead_holders_lock_is_taken_over(tmp_path):
    out = tmp_path / "out"
    with FolderLock(out) as lock:
        record = json.loads((out / LOCK_NAME).read_text())
        assert record["pid"] == os.getpid() and record["started"]
        code = f"from sce_analysis.reviewsets.atomic import FolderLock; FolderLock({str(out)!r}).acquire()"
        other = run(code)
        assert other.returncode == 1 and f"another run (pid {os.getpid()}" in other.stderr
        assert lock.path.exists()
    assert not (out / LOCK_NAME).exists()
    # A lock file whose process died (here: killed while holding it) is taken over, with a message.
    code = (
        f"import os, signal; from sce_analysis.reviewsets.atomic import FolderLock; "
        f"FolderLock({str(out)!r}).acquire(); os.kill(os.getpid(), signal.SIGKILL)"
    )
    dead = run(code)
    assert dead.returncode == -signal.SIGKILL and (out / LOCK_NAME).exists()
    said = []
    with FolderLock(out, log=said.append):
        assert json.loads((out / LOCK_NAME).read_text())["pid"] == os.getpid()
    assert len(said) == 1 and f"no longer running (pid {dead.pid}," in said[0]


# --------------------------------------------------------------------------- reports


def start_report(out: Path, *extra) -> subprocess.Popen:
    """``sce-analysis report`` in its own session, so that it can be killed with its whole group."""
    command = [sys.executable, "-m", "sce_analysis", "report", "--data", SAMPLE, "--out", out, *extra]
    return subprocess.Popen(
        list(map(str, command)),
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lock_holder(out: Path) -> dict:
    """The record in ``out``'s lock file; {} while there is none or it is being written."""
    try:
        return json.loads((out / LOCK_NAME).read_text())
    except (OSError, ValueError):
        return {}


def wait_for(condition, seconds=120.0) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "timed out"
        time.sleep(0.1)
    return time.monotonic() - start


def test_a_report_killed_midway_is_replaced_by_overwrite_and_the_users_files_survive(tmp_path):
    out = tmp_path / "out"
    first = start_report(out, "--notebooks", "01,02", "--jobs", "2")
    wait_for(lambda: any((out / "tables").glob("*.csv")) if (out / "tables").is_dir() else False)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running" and "ended" not in manifest, "no manifest claims the report finished"
    assert not (out / "index.html").exists()
    (out / "my-notes.txt").write_text("mine")
    (out / "tables" / "my-extra.csv").write_text("a\n1\n")
    refused = subprocess.run(
        [sys.executable, "-m", "sce_analysis", "report", "--notebooks", "01", "--out", str(out)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "stopped before it finished" in refused.stderr
    # The killed run's lock is stale: the next run takes it over and says so (and lets it go when it ends).
    assert f"taking over the lock of a run that is no longer running (pid {first.pid}," in refused.stderr
    assert not (out / LOCK_NAME).exists()
    again = start_report(out, "--notebooks", "01,02", "--jobs", "2", "--overwrite")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert (out / "my-notes.txt").read_text() == "mine" and (out / "tables" / "my-extra.csv").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "finished" and [n["status"] for n in manifest["notebooks"]] == ["ok", "ok"]
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert on_disk - set(manifest["outputs"]) == {"manifest.json", "my-notes.txt", "tables/my-extra.csv"}


def test_two_reports_into_one_folder_the_second_refuses_naming_the_first(tmp_path):
    out = tmp_path / "out"
    first = start_report(out, "--notebooks", "01")
    # The lock file is made empty and then filled in: wait until it names its holder.
    wait_for(lambda: lock_holder(out).get("pid") is not None)
    holder = lock_holder(out)
    second = start_report(out, "--notebooks", "01", "--overwrite")
    _, err = second.communicate(timeout=120)
    assert second.returncode == 1
    assert f"{out} is in use: another run (pid {first.pid}" in err and "wait for that run to finish" in err
    assert holder["pid"] == first.pid, "the lock names the run that holds it"
    assert holder["command"].endswith(f"report --data {SAMPLE} --out {out} --notebooks 01")
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert json.loads((out / "manifest.json").read_text())["status"] == "finished"
    assert not (out / LOCK_NAME).exists()
