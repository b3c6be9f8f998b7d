"""`aipipe extract` on a file and on a URL served by a real local HTTP server."""

from __future__ import annotations

import json

from aipipe.cli import main
from tests.support.fault_server import FaultServer, Reply

PAGE = """<html><head><title>Cursor</title><script>var x = "$1 trillion";</script></head><body>
<article><p>Cursor's ARR passed $500 million in June 2025.</p></article></body></html>"""


def test_extract_file_as_json(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text(PAGE)
    assert main(["extract", str(page), "--json"]) == 0
    candidates = json.loads(capsys.readouterr().out)
    assert [(c["entity"], c["metric"], c["value"], c["currency"]) for c in candidates] == [
        ("Cursor", "arr", 500e6, "USD")]


def test_extract_url_keeps_a_snapshot(tmp_path, capsys):
    with FaultServer() as server:
        server.route("/cursor", Reply(200, PAGE.encode()))
        assert main(["extract", server.url + "/cursor", "--json", "--data", str(tmp_path / "data")]) == 0
    assert json.loads(capsys.readouterr().out)[0]["value"] == 500e6
    assert list((tmp_path / "data" / "raw" / "news").rglob("*.html"))


def test_extract_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "nope.html")]) == 2
    assert "no such file" in capsys.readouterr().err
