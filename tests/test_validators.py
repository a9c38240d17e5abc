"""Every built page through the Nu HTML Checker (vnu.jar, run with Java): no error, no warning.
`./dev test` installs it (package.json) and Java. (axe-core runs on every page in test_quality.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, build_example, copy_example_site

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_passes_the_nu_html_checker(tmp_path: Path) -> None:
    java = shutil.which("java")
    assert java, "Java is missing: run ./dev test, which installs it"
    if not VNU.is_file():
        pytest.fail(f"{VNU.relative_to(REPO)} is missing: run ./dev test (it installs package.json's tools with npm)")
    output = build_example(copy_example_site(tmp_path / "site"))
    files = sorted(output.rglob("*.html"))
    assert len(files) > 30
    run = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--also-check-svg", *map(str, files)],
                         capture_output=True, text=True)
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    found = [f"{m['url'].rpartition('/output/')[2]}:{m.get('lastLine')}: {m['type']}: {m['message']}"
             for m in messages]
    assert found == [], "\n".join(found)
    assert run.returncode == 0
