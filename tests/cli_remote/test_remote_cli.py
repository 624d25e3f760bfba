"""The `xlimport` command against a real server (`xlimport serve` + an RQ `xlimport worker` on
PostgreSQL and Redis): same output and exit statuses as local mode, live progress over the
WebSocket, fallback to polling when the WebSocket is refused or drops, failed jobs, a wrong key,
re-attaching to a job, Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from server.helpers import Stack, child_env, cli_command, make_workbook

import xlimport
from xlimport import errors

from .proxy import WebSocketBlockingProxy


def remote(stack: Stack, url: str | None = None) -> list[str]:
    return ["--api-url", url or stack.base_url, "--api-key", stack.api_key or ""]


def imported_model_id(stdout: str) -> int:
    first = stdout.splitlines()[0].split()
    assert first[:2] == ["model", "id"], stdout
    return int(first[2])


def test_import_follows_the_websocket_and_prints_the_local_summary(
    rq_stack: Stack, medium_workbook: Path, run_cli
) -> None:
    out = run_cli(*remote(rq_stack), "import", str(medium_workbook), "--name", "medium")
    assert out.exit_code == 0, out.stderr
    model_id = imported_model_id(out.stdout)
    assert "formula cells    15,000" in out.stdout
    assert "submitted to" in out.stderr and "polling" not in out.stderr
    assert "] evaluation:" in out.stderr  # the stage lines of the local display, live

    # The summary is the one the local CLI prints for the same stored model.
    local = run_cli("show", str(model_id), "--db", rq_stack.env["DATABASE_URL"])
    assert local.exit_code == 0, local.stderr
    shown = local.stdout.splitlines()[2:]  # after "file" and "uploaded"
    # (PostgreSQL's JSONB keeps the per-stage timings in its own key order: compare as sets)
    imported = out.stdout.splitlines()
    assert [x for x in imported if not x.startswith("seconds")] == [
        x for x in shown if not x.startswith("seconds")
    ]
    seconds = [x for x in imported if x.startswith("seconds")][0]
    stored = [x for x in shown if x.startswith("seconds")][0]
    assert sorted(seconds[:-1].split(", ")[1:]) == sorted(stored[:-1].split(", ")[1:])


def test_models_show_cells_validate_match_local_mode(rq_stack: Stack, workbook, run_cli) -> None:
    out = run_cli(*remote(rq_stack), "import", str(workbook()), "--json")
    assert out.exit_code == 0, out.stderr
    result = json.loads(out.stdout)
    model_id = result["model_id"]
    assert result["stats"]["formula_cells"] == 4 and not result["duplicate"]
    db = ["--db", rq_stack.env["DATABASE_URL"]]
    for args in (
        ["models"],
        ["models", "--json", "--page-size", "2"],
        ["show", str(model_id)],
        ["show", str(model_id), "--json"],
        ["cells", str(model_id), "--limit", "5"],
        ["cells", str(model_id), "--formulas", "--json"],
        ["cells", str(model_id), "--sheet", "Calc"],
    ):
        there = run_cli(*remote(rq_stack), *args)
        here = run_cli(*args, *db)
        assert there.exit_code == here.exit_code == 0, (args, there.stderr, here.stderr)
        assert there.stdout == here.stdout, args

    again = run_cli(*remote(rq_stack), "validate", str(model_id), "--tolerance", "0.01")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[0].split() == ["model", "id", str(model_id)]

    # The same bytes again: the existing model, as a local duplicate import says.
    dup = run_cli(*remote(rq_stack), "import", str(workbook(result["stats"]["cells"])))
    assert dup.exit_code == 0
    missing = run_cli(*remote(rq_stack), "show", "999999")
    assert missing.exit_code == 5 and missing.stderr.startswith("error: model 999999")


@pytest.mark.parametrize("mode", ["refuse", "cut"])
def test_blocked_websocket_falls_back_to_polling(
    rq_stack: Stack, workbook, run_cli, mode: str
) -> None:
    port = int(rq_stack.base_url.rsplit(":", 1)[1])
    with WebSocketBlockingProxy(port, mode) as proxy:
        out = run_cli(*remote(rq_stack, proxy.url), "import", str(workbook()))
        assert proxy.websocket_attempts >= 1  # (aiohttp may retry a dropped handshake once)
    assert out.exit_code == 0, out.stderr
    notes = [line for line in out.stderr.splitlines() if "by polling" in line]
    assert len(notes) == 1, out.stderr
    reason = "could not open the WebSocket" if mode == "refuse" else "closed before the job ended"
    assert reason in notes[0]
    assert "formula cells    4" in out.stdout  # the final result is not lost


def test_client_follow_falls_back_without_losing_the_final_event(rq_stack: Stack, workbook) -> None:
    port = int(rq_stack.base_url.rsplit(":", 1)[1])
    with WebSocketBlockingProxy(port, "cut") as proxy:
        client = xlimport.Client(proxy.url, rq_stack.api_key, poll_interval=0.1)
        job_id = client.upload(workbook())["job_id"]
        events = list(client.follow(job_id))
    kinds = [e["type"] for e in events]
    assert kinds[0] == "fallback" and kinds[-1] == "final" and kinds.count("final") == 1
    percents = [e["percent"] for e in events if e["type"] == "progress"]
    assert percents == sorted(percents)
    assert events[-1]["status"] == "success" and events[-1]["result"]["stats"]["cells"] == 10


def test_failed_job_is_one_line_with_the_local_exit_status(
    rq_stack: Stack, tmp_path: Path, run_cli
) -> None:
    good = make_workbook(tmp_path / "good.xlsx", 42.5)
    bad = tmp_path / "broken.xlsx"  # a sound package whose sheet XML breaks: fails in the worker
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    out = run_cli(*remote(rq_stack), "import", str(bad))
    assert out.exit_code == 2, (out.stdout, out.stderr)
    assert out.stdout == ""
    errors_printed = [x for x in out.stderr.splitlines() if x.startswith("error: ")]
    assert len(errors_printed) == 1 and "(during parsing)" in errors_printed[0], out.stderr
    assert out.stderr.strip().splitlines()[-1] == errors_printed[0]

    not_zip = tmp_path / "notes.xlsx"
    not_zip.write_text("hello")
    out = run_cli(*remote(rq_stack), "import", str(not_zip))  # refused at the upload: 400
    assert out.exit_code == 2 and out.stderr.startswith("error: ")
    assert len(out.stderr.strip().splitlines()) == 1


def test_wrong_key_is_refused_with_its_own_status(rq_stack: Stack, workbook, run_cli) -> None:
    for args in (["models"], ["import", str(workbook())], ["jobs"]):
        out = run_cli("--api-url", rq_stack.base_url, "--api-key", "wrong", *args)
        assert out.exit_code == 6, (args, out.stderr)
        assert out.stderr.startswith("error: the server refused the API key")
        assert len(out.stderr.strip().splitlines()) == 1
    # The key from the environment, the URL on the command (as `import F --api-url URL`).
    env = {"XLIMPORT_API_KEY": rq_stack.api_key or ""}
    out = run_cli("models", "--api-url", rq_stack.base_url, env=env)
    assert out.exit_code == 0, out.stderr


def test_jobs_list_and_reattach_to_a_job(rq_stack: Stack, workbook, run_cli) -> None:
    client = xlimport.Client(rq_stack.base_url, rq_stack.api_key)
    job_id = client.upload(workbook(), name="reattached")["job_id"]

    follow = run_cli(*remote(rq_stack), "job", job_id, "--follow")
    assert follow.exit_code == 0, follow.stderr
    assert "name             reattached" in follow.stdout

    shown = run_cli(*remote(rq_stack), "job", job_id)
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["job", "id", job_id]
    assert lines[2].split() == ["status", "success"] and "formula cells" in shown.stdout

    listed = run_cli(*remote(rq_stack), "jobs", "--status", "success", "--json")
    assert listed.exit_code == 0
    assert job_id in [j["job_id"] for j in json.loads(listed.stdout)["items"]]
    table = run_cli(*remote(rq_stack), "jobs", "--kind", "import", "--limit", "100")
    assert job_id in table.stdout and table.stdout.startswith("job id")
    failed = run_cli(*remote(rq_stack), "jobs", "--status", "failed")
    assert job_id not in failed.stdout

    unknown = run_cli(*remote(rq_stack), "job", "f" * 32, "--follow")
    assert unknown.exit_code == 5 and "not found" in unknown.stderr
    local = run_cli("jobs")
    assert local.exit_code == 2 and "--api-url" in local.stderr


def test_ctrl_c_leaves_the_job_running_and_names_it(
    rq_stack: Stack, medium_workbook: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "medium_copy.xlsx"  # distinct bytes: a real job, not a duplicate
    with zipfile.ZipFile(medium_workbook) as src, zipfile.ZipFile(copy, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("docProps/custom.xml", f"<x>{time.time()}</x>")
    env = {"XLIMPORT_API_URL": rq_stack.base_url, "XLIMPORT_API_KEY": rq_stack.api_key or ""}
    proc = subprocess.Popen(
        cli_command("import", str(copy), "--force"),
        env=child_env(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "submitted to" in line, line
        job_id = line.split()[1]
        proc.send_signal(signal.SIGINT)
        stdout, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (stdout, rest)
    assert f"job {job_id} keeps running on the server" in rest
    assert f"xlimport job {job_id} --follow" in rest
    job = xlimport.Client(rq_stack.base_url, rq_stack.api_key).job(job_id)
    assert job["status"] in ("pending", "processing", "success") and not job["cancel_requested"]
    result = xlimport.Client(rq_stack.base_url, rq_stack.api_key).wait(job_id, timeout=120)
    assert result.stats.formula_cells == 15_000


def test_client_maps_server_errors(rq_stack: Stack) -> None:
    client = xlimport.Client(rq_stack.base_url, rq_stack.api_key)
    with pytest.raises(errors.ModelNotFoundError):
        client.model(987654)
    with pytest.raises(errors.JobNotFoundError):
        client.job("0" * 32)
    with pytest.raises(errors.InvalidParameterError):
        client.cells(1, page_size=5000)
    with pytest.raises(errors.RemoteAuthError):
        xlimport.Client(rq_stack.base_url, "nope").models()
    with pytest.raises(errors.InvalidOptionsError):
        client.upload(__file__, options={"iterate": True})
    assert client.health()["runner"] == "rq"
