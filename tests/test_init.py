"""`sitegen init`: a ready site that checks, builds and serves, never written over a file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from test_cli import sitegen_cli

import sitegen
from sitegen.config import load_settings
from sitegen.content.starter import settings_text

STARTER = ["content/drills/incline-push-up.md", "content/drills/wall-push-up.md", "content/exercises/push-up.md",
           "content/guides/your-first-push-up.md", "content/images/wall-push-up.svg"]


def test_init_writes_a_site_that_checks_clean_and_builds(tmp_path: Path) -> None:
    done = sitegen_cli("init", "my-site", "--title", "Push & Pull", "--base-url", "https://coach.example.org/app",
                       "--author", "Sam", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    site = tmp_path / "my-site"
    wrote = [line.removeprefix("wrote my-site/") for line in done.stdout.splitlines() if line.startswith("wrote ")]
    assert wrote == sorted([".github/workflows/publish.yml", ".gitignore", "sitegen.toml", *STARTER])
    settings = load_settings(site)
    assert (settings.title, settings.base_url, settings.author) == ("Push & Pull", "https://coach.example.org/app/", "Sam")
    assert "cd my-site" in done.stdout

    check = sitegen_cli("check", cwd=site)
    assert (check.returncode, check.stdout) == (0, "0 errors, 0 warnings in 4 pages\n")
    build = sitegen_cli("build", cwd=site)
    assert build.returncode == 0, build.stderr
    page = (site / "output/drills/wall-push-up/index.html").read_text()
    assert 'href="/app/static/style.css"' in page and "/app/images/wall-push-up.svg" in page
    assert (site / "output/cards/your-first-push-up-deck.pdf").is_file()
    ignored = (site / ".gitignore").read_text().split()
    assert {"/output/", "/.output.twin/", ".sitegen-cache/"} <= set(ignored)


def test_without_a_base_url_the_one_warning_is_the_default_base_url(tmp_path: Path) -> None:
    assert sitegen_cli("init", cwd=tmp_path).returncode == 0  # not a terminal: defaults, no questions
    assert load_settings(tmp_path).title == tmp_path.name.replace("_", " ").capitalize()
    check = sitegen_cli("check", "--no-cards", cwd=tmp_path)
    assert check.returncode == 0
    lines = check.stdout.splitlines()
    assert lines[1:] == ["0 errors, 1 warning in 4 pages"]
    assert lines[0].startswith("sitegen.toml:1:1: warning[CONF006]: base_url is still the default http://localhost/: "
                               "card QR codes, pins, the feed and the sitemap will point at localhost")
    strict = sitegen_cli("check", "--no-cards", "--strict", cwd=tmp_path)
    assert (strict.returncode, strict.stdout) == (1, f"{lines[0]}\n1 error, 0 warnings in 4 pages\n")
    build = sitegen_cli("build", "--no-cards", "--strict", cwd=tmp_path)
    assert build.returncode == 1 and build.stderr.endswith("1 error, 0 warnings in 4 pages\n")
    assert not (tmp_path / "output").exists()
    build = sitegen_cli("build", "--no-cards", cwd=tmp_path)
    assert build.returncode == 0 and "warning[CONF006]" in build.stderr
    chosen = sitegen_cli("build", "--no-cards", "--strict", "--base-url", "https://example.org/", cwd=tmp_path)
    assert chosen.returncode == 0 and "CONF006" not in chosen.stderr


def test_init_keeps_every_file_already_there(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    done = sitegen_cli("init", "--base-url", "https://example.org/", cwd=tmp_path)
    assert done.returncode == 0
    assert "kept .gitignore: it was already there" in done.stdout
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n"

    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    again = sitegen_cli("init", "--title", "Other", cwd=tmp_path)
    assert again.returncode == 2
    assert "already holds a site" in again.stderr and "never writes over one" in again.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_bad_base_url_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    done = sitegen_cli("init", "site", "--base-url", "example.org", cwd=tmp_path)
    assert done.returncode == 2
    assert "base_url 'example.org' is not an absolute http(s) URL" in done.stderr
    assert not (tmp_path / "site").exists()


def test_the_publish_workflow_installs_this_sitegen_and_deploys_the_output(tmp_path: Path) -> None:
    assert sitegen_cli("init", "--base-url", "https://me.github.io/drills/", cwd=tmp_path).returncode == 0
    workflow = (tmp_path / ".github/workflows/publish.yml").read_text()
    assert f'pip install "sitegen=={sitegen.__version__}"' in workflow
    for step in ("actions/checkout@", "actions/setup-python@", "libpango-1.0-0", "run: sitegen build",
                 "actions/upload-pages-artifact@", "path: output", "actions/deploy-pages@"):
        assert step in workflow, step


def test_settings_text_is_valid_toml_whatever_the_title() -> None:
    text = settings_text('Sam\'s "hinge" \\ club', "https://example.org/", "Ünal")
    assert tomllib.loads(text) == {"title": 'Sam\'s "hinge" \\ club', "base_url": "https://example.org/", "author": "Ünal"}
    assert "base_url" not in tomllib.loads(settings_text("T", "", ""))


def test_on_a_terminal_init_asks_for_what_the_options_did_not_give(tmp_path: Path) -> None:
    """A real terminal (a pseudo-terminal): the title is asked with a default, a bad base_url is
    asked again, an empty author is allowed."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "init", "coach"], cwd=tmp_path, stdin=follower,
                            stdout=follower, stderr=follower, env={**os.environ, "NO_COLOR": "1"})
    os.close(follower)
    seen = b""

    def answer_after(prompt: bytes, text: str) -> None:
        nonlocal seen
        while prompt not in seen:
            chunk = os.read(leader, 1024)
            assert chunk, seen
            seen += chunk
        seen = seen.split(prompt, 1)[1]
        os.write(leader, text.encode() + b"\n")

    answer_after(b"Site title [Coach]: ", "")
    answer_after(b"(base_url; empty: decide later): ", "coach.example.org")
    answer_after(b"(base_url; empty: decide later): ", "https://coach.example.org/hinge")
    answer_after(b"Author: ", "")
    try:
        while os.read(leader, 1024):
            pass
    except OSError:  # the terminal closes when the process ends
        pass
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    settings = load_settings(tmp_path / "coach")
    assert (settings.title, settings.base_url, settings.author) == ("Coach", "https://coach.example.org/hinge/", "")
