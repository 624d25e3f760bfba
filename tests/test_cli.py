"""The CLI: the same results as the library, one-line errors with distinct exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlimport_cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fm_circ_1k.xlsx"


@pytest.fixture
def runner():
    return CliRunner()


def test_import_show_models_cells_validate(runner, sqlite_url):
    res = runner.invoke(cli, ["import", str(EXAMPLE), "--db", sqlite_url, "--name", "demo"])
    assert res.exit_code == 0, res.output
    assert "circular groups" in res.output and "matched" in res.output
    # not a terminal: plain progress lines, one per stage
    assert "[  0.0%] hashing" in res.output or "hashing" in res.output

    res = runner.invoke(cli, ["models", "--db", sqlite_url, "--json"])
    assert res.exit_code == 0, res.output
    models = json.loads(res.stdout)
    assert models["total"] == 1 and models["items"][0]["name"] == "demo"
    model_id = str(models["items"][0]["id"])

    res = runner.invoke(cli, ["models", "--db", sqlite_url])
    assert "demo" in res.output

    res = runner.invoke(cli, ["show", model_id, "--db", sqlite_url])
    assert res.exit_code == 0 and "formula cells" in res.output

    res = runner.invoke(
        cli, ["cells", model_id, "--db", sqlite_url, "--circular", "--json", "--limit", "5"]
    )
    assert res.exit_code == 0, res.output
    cells = json.loads(res.stdout)
    assert len(cells["items"]) == 5 and all(c["is_circular"] for c in cells["items"])

    res = runner.invoke(
        cli, ["cells", model_id, "--db", sqlite_url, "--sheet", "Debt", "--formulas"]
    )
    assert res.exit_code == 0 and "Debt" in res.output

    res = runner.invoke(cli, ["validate", model_id, "--db", sqlite_url, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["model_id"] == int(model_id)

    # the same file again: the existing model, at once
    res = runner.invoke(cli, ["import", str(EXAMPLE), "--db", sqlite_url, "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["duplicate"] is True


def test_errors_are_one_line_with_distinct_status(runner, sqlite_url, tmp_path):
    bad = tmp_path / "report.xlsx"
    bad.write_bytes(b"%PDF-1.7 pretending")
    res = runner.invoke(cli, ["import", str(bad), "--db", sqlite_url])
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].startswith("error: ")

    res = runner.invoke(cli, ["import", str(tmp_path / "missing.xlsx"), "--db", sqlite_url])
    assert res.exit_code == 2 and "no such file" in res.output

    res = runner.invoke(cli, ["show", "12345", "--db", sqlite_url])
    assert res.exit_code == 5 and "error:" in res.output


def test_db_upgrade(runner, tmp_path):
    url = f"sqlite:///{tmp_path}/fresh/x.db"
    res = runner.invoke(cli, ["db", "upgrade", "--db", url])
    assert res.exit_code == 0, res.output
    assert "up to date" in res.output


def test_installed_command_runs(tmp_path):
    env = dict(os.environ, XLIMPORT_HOME=str(tmp_path / "home"))
    out = subprocess.run(
        [sys.executable, "-m", "xlimport_cli.main", "--help"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0 and "import" in out.stdout


def _all_commands(group, prefix=""):
    import click

    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        yield full, cmd
        if isinstance(cmd, click.Group):
            yield from _all_commands(cmd, full + " ")


def test_every_command_is_documented_and_has_help():
    doc = (ROOT / "docs" / "cli.md").read_text()
    for full, cmd in _all_commands(cli):
        assert cmd.help, f"{full} has no help text"
        assert f"xlimport {full}" in doc, f"docs/cli.md does not document `xlimport {full}`"
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in doc, f"docs/cli.md does not mention {opt} of {full}"
