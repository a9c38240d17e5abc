"""From a wheel, as a new user meets sitegen: build the wheel and the sdist from a clean copy of
the repository, install the wheel into a fresh virtual environment outside it, then `sitegen
init` an empty folder, `build`, `check` and `serve` (fetching pages) there.

Offline: the wheel is built with this environment's setuptools (no build isolation), and the
fresh environment borrows only the dependencies' folder of this one (a .pth line): sitegen
itself, its theme and its starter site come from the wheel alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import free_port
from test_serve import page_text

REPO = Path(__file__).resolve().parent.parent
ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".sitegen-*", ".pytest_cache")
AT_THE_TOP = {".git", ".venv", "venv", "node_modules", "output", ".output.twin", "build", "dist"}


def not_in_a_clone(folder: str, names: list[str]) -> set[str]:
    """What a clean clone lacks: environments, build output, caches, previews."""
    return set(ANYWHERE(folder, names)) | (AT_THE_TOP & set(names) if Path(folder) == REPO else set())


def run(*args: str | Path, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The wheel and the sdist, built from a copy of the repository's files."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=not_in_a_clone)
    dist = tmp / "dist"
    # The hooks pip would call (setuptools rewrites sys.argv while it builds).
    hooks = ("from setuptools import build_meta as b; import sys; dist = sys.argv[1]; "
             "w = b.build_wheel(dist); s = b.build_sdist(dist); print('built', w, s)")
    done = run(sys.executable, "-c", hooks, dist, cwd=source)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr  # no SetuptoolsWarning or deprecation either
    wheel, sdist = done.stdout.splitlines()[-1].split()[1:]
    return {"wheel": dist / wheel, "sdist": dist / sdist, "tmp": tmp}


def test_the_wheel_and_the_sdist_carry_the_theme_and_the_starter_site(built) -> None:
    in_wheel = set(zipfile.ZipFile(built["wheel"]).namelist())
    for name in os.listdir(REPO / "templates"):
        assert f"sitegen/theme/templates/{name}" in in_wheel
    for name in os.listdir(REPO / "static"):
        assert f"sitegen/theme/static/{name}" in in_wheel
    assert {"sitegen/preview/overlay.js", "sitegen/content/starter-site/gitignore",
            "sitegen/content/starter-site/github/workflows/publish.yml",
            "sitegen/content/starter-site/content/images/wall-push-up.svg"} <= in_wheel
    with tarfile.open(built["sdist"]) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        in_sdist = set(sdist.getnames())
    assert {f"{top}/templates/drill.html", f"{top}/static/style.css", f"{top}/pyproject.toml"} <= in_sdist


def test_a_new_site_from_the_installed_wheel_builds_checks_and_serves(built) -> None:
    tmp = built["tmp"]
    fresh = tmp / "fresh-venv"
    run(sys.executable, "-m", "venv", "--without-pip", fresh, cwd=tmp)
    python = fresh / "bin" / "python"
    done = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q",
               built["wheel"], cwd=tmp)
    assert done.returncode == 0, done.stderr
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp).stdout.strip())
    (purelib / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    sitegen = fresh / "bin" / "sitegen"
    # A user's environment: no PYTHONPATH, nothing of the repository, not even the current folder.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"NO_COLOR": "1"}

    where = run(python, "-c", "import sitegen, sitegen.theme as t; print(sitegen.__file__); "
                "print(t.folder('templates')); print(t.folder('static'))", cwd=tmp, env=env)
    assert [Path(line).is_relative_to(purelib / "sitegen") for line in where.stdout.split()] == [True] * 3, where.stdout

    work = tmp / "work"
    work.mkdir()
    done = run(sitegen, "init", "coach-site", "--title", "Wheel Coach", "--base-url", "https://coach.example.org/",
               cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    site = work / "coach-site"
    done = run(sitegen, "build", cwd=site, env=env)
    assert done.returncode == 0, done.stderr
    assert (site / "output/cards/wall-push-up.pdf").read_bytes().startswith(b"%PDF")
    assert (site / "output/static/style.css").is_file()
    done = run(sitegen, "check", cwd=site, env=env)
    assert (done.returncode, done.stdout) == (0, "0 errors, 0 warnings in 4 pages\n")

    port = free_port()
    server = subprocess.Popen([sitegen, "serve", "--port", str(port)], cwd=site, env=env,
                              stderr=subprocess.PIPE, text=True)
    try:
        for line in server.stderr:
            if line.startswith("serving"):
                break
        assert "Wall Push-Up" in page_text(port, "/drills/wall-push-up/")
        assert "Wheel Coach" in page_text(port, "/")
        assert "body" in page_text(port, "/static/style.css")
    finally:
        server.terminate()
        server.wait(timeout=15)
        server.stderr.close()
