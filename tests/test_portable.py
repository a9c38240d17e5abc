"""The paths macOS and Windows take, run on this machine: SITEGEN_PORTABLE=1 hides every optional
call (sitegen/capabilities.py). CI runs the whole suite once more with it set; these tests set it
themselves, so that each fallback is tested in both runs."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sitegen.build.builder import build
from sitegen.build.output import MARKER, one_build_at_a_time, twin_path
from sitegen.capabilities import PORTABLE, fork_is_safe, native
from sitegen.config import Settings, load_settings
from sitegen.parallel import run, start_method
from sitegen.render.pages import environment
from sitegen.report import NullReporter

DRILL = "content/drills/dowel-hip-hinge.md"


@pytest.fixture
def portable(monkeypatch) -> None:
    monkeypatch.setenv(PORTABLE, "1")


def test_portable_mode_hides_every_optional_call(portable) -> None:
    assert native("os", "sched_getaffinity") is None and native("fcntl", "flock") is None
    assert native("os", "killpg") is None and native("os", "nice") is None
    assert not fork_is_safe()
    assert start_method(1000, 2) is None  # work that does not pickle stays in this process
    assert start_method(1000, 2, spawnable=True) == "spawn"


def test_native_finds_what_the_system_has(monkeypatch) -> None:
    monkeypatch.delenv(PORTABLE, raising=False)
    assert native("os", "getpid") is os.getpid
    assert native("os", "no_such_call") is None and native("no_such_module", "x") is None


class Square:
    """Work that pickles: what a spawned worker gets."""

    def __call__(self, i: int) -> tuple[int, int]:
        return i * i, os.getpid()


def test_spawned_workers_do_picklable_work_in_other_processes(portable) -> None:
    results = sorted(run(Square(), 60, 2, spawnable=True))
    assert [square for square, _pid in results] == [i * i for i in range(60)]
    assert os.getpid() not in {pid for _square, pid in results}


def test_work_that_does_not_pickle_runs_here_where_forking_is_unsafe(portable) -> None:
    seen = []
    results = sorted(run(lambda i: (seen.append(i), i)[1], 60, 2))  # a closure: it would not pickle
    assert results == list(range(60)) and sorted(seen) == list(range(60))


def test_dates_have_no_padded_day_on_any_system(tmp_path: Path) -> None:
    """`%-d` is not a Windows strftime code: the filter fills it in itself."""
    (tmp_path / "t.html").write_text("{{ d | date }}|{{ d | date('%d/%m') }}|{{ d | date('%B %-d') }}|{{ none | date }}")
    env = environment(Settings(root=tmp_path, templates_dir="."))
    assert env.get_template("t.html").render(d=dt.date(2026, 3, 4), none=None) == "4 March 2026|04/03|March 4|"


# --- one build at a time -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["native", "portable"])
def test_a_second_build_into_one_folder_waits_for_the_first(tmp_path: Path, monkeypatch, mode: str) -> None:
    """flock where the system has it; elsewhere a lock file made only if it does not exist."""
    if mode == "portable":
        monkeypatch.setenv(PORTABLE, "1")
    else:
        monkeypatch.delenv(PORTABLE, raising=False)
    target = tmp_path / "output"
    order: list[str] = []
    trying = threading.Event()

    def second() -> None:
        trying.set()
        with one_build_at_a_time(tmp_path, target):
            order.append("second in")

    with one_build_at_a_time(tmp_path, target):
        waiting = threading.Thread(target=second)
        waiting.start()
        assert trying.wait(5)
        waiting.join(0.5)
        assert waiting.is_alive(), "the second build did not wait for the lock"
        order.append("first out")
    waiting.join(10)
    assert order == ["first out", "second in"]
    if mode == "portable":
        assert list((tmp_path / ".sitegen-cache").glob("*.held")) == []  # given back


def test_a_lock_file_left_by_a_process_that_ended_is_taken_over(tmp_path: Path, portable) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    target = tmp_path / "output"
    with one_build_at_a_time(tmp_path, target):  # to learn the lock file's name
        (held,) = (tmp_path / ".sitegen-cache").glob("*.held")
        assert held.read_text() == str(os.getpid())
    held.write_text(ended.stdout.strip())  # a build killed outright leaves its file behind
    owner: list[str] = []

    def take() -> None:
        with one_build_at_a_time(tmp_path, target):
            owner.append(held.read_text())

    taking = threading.Thread(target=take, daemon=True)
    taking.start()
    taking.join(10)
    assert owner == [str(os.getpid())], "a lock left by an ended process was not taken over"
    assert not held.exists()


# --- the swap without an atomic exchange -----------------------------------------------------------

CRASH = """
import os, sys
from pathlib import Path
from sitegen.build.builder import build
from sitegen.config import load_settings
from sitegen.report import NullReporter

stop, real, seen = int(sys.argv[2]), os.replace, []

def replace(src, dst):
    # The swap's renames, counted from the one that parks the live folder: the process ends
    # just before rename number `stop`, as a killed or crashed build would.
    if seen or str(dst).endswith(".parked"):
        if len(seen) == stop:
            os._exit(9)
        seen.append(dst)
    return real(src, dst)

os.replace = replace
build(load_settings(Path(sys.argv[1])), cards=False, reporter=NullReporter(), jobs=1)
"""


def _edit(site: Path, text: str) -> None:
    drill = site / DRILL
    drill.write_text(drill.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def _drill_page(site: Path) -> str:
    return (site / "output/drills/dowel-hip-hinge/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("builds_before", [1, 2], ids=["fresh folder", "twin"])
@pytest.mark.parametrize("stop", [1, 2], ids=["no output", "parked left"])
def test_a_swap_cut_short_is_repaired_by_the_next_build(example_site: Path, portable, builds_before: int,
                                                         stop: int) -> None:
    """Without renameat2 the swap is three renames, with a moment between the first two when
    output/ does not exist. A build that dies there leaves the last complete site parked beside
    it; the next build puts it back (or, past the second rename, keeps the new site and makes the
    parked one the twin) before it builds."""
    settings = load_settings(example_site)
    for n in range(builds_before):
        _edit(example_site, f"Before the crash {n}.")
        build(settings, cards=False, reporter=NullReporter(), jobs=1)
    _edit(example_site, "Cut short.")
    env = {**os.environ, PORTABLE: "1"}
    done = subprocess.run([sys.executable, "-c", CRASH, str(example_site), str(stop)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    parked = example_site / ".output.parked"
    assert (parked / MARKER).is_file()
    if stop == 1:
        assert not (example_site / "output").exists()  # the moment the swap could not avoid
    else:
        assert "Cut short." in _drill_page(example_site)

    _edit(example_site, "After the repair.")
    build(settings, cards=False, reporter=NullReporter(), jobs=1)
    assert not parked.exists()
    assert "Cut short." in _drill_page(example_site) and "After the repair." in _drill_page(example_site)
    assert (twin_path(example_site / "output") / MARKER).is_file()
    _edit(example_site, "And once more.")
    build(settings, cards=False, reporter=NullReporter(), jobs=1)
    assert "And once more." in _drill_page(example_site)
    assert sorted(p.name for p in example_site.iterdir() if "output" in p.name) == [".output.twin", "output"]


def test_a_theme_on_another_drive_than_the_site_builds(tmp_path: Path, monkeypatch) -> None:
    """On Windows no relative path leads from a site on D: to the installed theme on C:
    (`os.path.relpath` raises ValueError): forced here, the theme's files go by their absolute
    path, and a second build finds nothing changed."""
    from test_builtin_theme import content_only_site

    from sitegen import theme

    site = content_only_site(tmp_path / "site")
    themed = os.fspath(theme.folder("static").parent)
    relpath = os.path.relpath

    def across_drives(path, start=os.curdir):
        if os.fspath(path).startswith(themed) != os.fspath(start).startswith(themed):
            raise ValueError("path is on mount 'C:', start on mount 'D:'")
        return relpath(path, start)

    monkeypatch.setattr(os.path, "relpath", across_drives)
    settings = load_settings(site)
    first = build(settings, cards=False, jobs=1, reporter=NullReporter())
    assert (site / "output" / "static" / "style.css").read_bytes() == (theme.folder("static") / "style.css").read_bytes()
    again = build(settings, cards=False, jobs=1, reporter=NullReporter())
    assert again.rendered == [] and again.changed == [] and first.pages == again.pages
