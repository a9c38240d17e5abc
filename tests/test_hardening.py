"""A site folder from anywhere leaks nothing, loses nothing and hangs nothing (issue 17)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import write_page
from test_cli import sitegen_cli
from test_serve import Running, request

SECRET = "root:x:0:0:not for the web\n"


def errors_of(site: Path) -> list[dict]:
    done = sitegen_cli("check", "--no-cards", "--format", "json", cwd=site)
    return json.loads(done.stdout) if done.stdout.strip() else []


def locations(site: Path) -> dict[str, str]:
    return {f"{d['file']}:{d['line']}": d["code"] for d in errors_of(site)}


# --- 1. symbolic links ---------------------------------------------------------------------------


def test_symlinks_out_of_the_site_dangling_or_looping_are_errors_at_the_link_in_check_build_and_preview(
        example_site: Path, tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET)
    content = example_site / "content"
    (content / "passwd.txt").symlink_to(secret)
    (example_site / "static" / "leak.txt").symlink_to(secret)
    (content / "gone.png").symlink_to(content / "nothing-here.png")
    (content / "loop").symlink_to(content)
    (content / "self.txt").symlink_to(content / "self.txt")
    # Inside the site folder, a link is followed: a shared picture, a folder of pages.
    (content / "shared.svg").symlink_to(content / "images" / "dowel-hip-hinge.svg")
    found = locations(example_site)
    assert found == {"content/passwd.txt:1": "FILE002", "static/leak.txt:1": "FILE002",
                     "content/gone.png:1": "FILE002", "content/loop:1": "FILE002",
                     "content/self.txt:1": "FILE002"}, found
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 1 and "content/passwd.txt:1:1: error[FILE002]" in done.stderr
    assert not (example_site / "output").exists()
    for name in ("passwd.txt", "static", "gone.png", "loop", "self.txt"):
        os.unlink(content / name) if name != "static" else os.unlink(example_site / "static" / "leak.txt")
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 0, done.stderr
    assert (example_site / "output" / "shared.svg").read_bytes() == (content / "images/dowel-hip-hinge.svg").read_bytes()

    (content / "passwd.txt").symlink_to(secret)
    running = Running(example_site)
    try:
        assert "content/passwd.txt:1:1" in [e["location"] for e in running.status()["errors"]]
        status, _, body = request(running.port, "/passwd.txt")
        assert status == 404 and SECRET.encode() not in body
    finally:
        running.stop()
