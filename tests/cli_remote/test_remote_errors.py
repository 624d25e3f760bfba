"""Server errors through the CLI: one clear line and a distinct, documented exit status
(413 → 7, 429 → 8, unreachable → 9, bad workbook → 2, as in local mode)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from server.helpers import Stack, free_port

import xlimport
from xlimport import errors

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_too_large_then_rate_limited(limited_stack: Stack, tmp_path: Path, run_cli) -> None:
    url = ["--api-url", limited_stack.base_url]
    not_zip = tmp_path / "notes.xlsx"
    not_zip.write_text("not a workbook")
    out = run_cli(*url, "import", str(not_zip))  # upload 1 of 2 allowed
    assert out.exit_code == 2, out.stderr
    assert out.stderr.startswith("error: ") and len(out.stderr.strip().splitlines()) == 1

    big = tmp_path / "big.xlsx"  # over the 0.05 MB cap
    big.write_bytes(b"PK\x03\x04" + os.urandom(200_000))
    out = run_cli(*url, "import", str(big))  # upload 2 of 2
    assert out.exit_code == 7, out.stderr
    assert out.stderr.startswith("error: the server refused the upload: the upload exceeds")
    assert len(out.stderr.strip().splitlines()) == 1

    out = run_cli(*url, "import", str(not_zip))  # upload 3: over the limit
    assert out.exit_code == 8, out.stderr
    assert re.match(r"error: rate limited by the server: .*; retry in \d+ s$", out.stderr.strip())

    client = xlimport.Client(limited_stack.base_url)
    try:
        client.upload(not_zip)
    except errors.RemoteRateLimitedError as exc:
        assert exc.retry_after and exc.retry_after > 0 and exc.status == 429
    else:
        raise AssertionError("the fourth upload was not rate limited")
    # Reading is not rate limited.
    assert run_cli(*url, "models").exit_code == 0


def test_unreachable_server_names_the_url(tmp_path: Path, run_cli) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    for args in (["models"], ["jobs"], ["job", "abc"], ["show", "1"]):
        out = run_cli("--api-url", url, *args)
        assert out.exit_code == 9, (args, out.stderr)
        assert out.stderr.startswith(f"error: cannot reach the server at {url} (")
    out = run_cli("--api-url", "ftp://nowhere", "models")
    assert out.exit_code == 2 and "http(s)://" in out.stderr
    out = run_cli("--api-url", url, "models", "--db", "sqlite:///x.db")
    assert out.exit_code == 2 and "exclude each other" in out.stderr


def test_exit_statuses_and_client_are_documented() -> None:
    cli_doc = (DOCS / "cli.md").read_text()
    for status, cls in (
        (6, errors.RemoteAuthError),
        (7, errors.RemotePayloadTooLargeError),
        (8, errors.RemoteRateLimitedError),
        (9, errors.ServerUnavailableError),
        (10, errors.RemoteJobFailedError),
    ):
        assert cls.exit_code == status
        assert re.search(rf"^\| {status} \|", cli_doc, re.M), f"exit status {status} undocumented"
    for text in ("--api-url", "--api-key", "XLIMPORT_API_URL", "XLIMPORT_API_KEY", "--follow"):
        assert text in cli_doc
    client_doc = (DOCS / "client.md").read_text()
    public = [n for n in dir(xlimport.Client) if not n.startswith("_")]
    for name in public:
        assert f".{name}(" in client_doc, f"docs/client.md does not show Client.{name}()"
