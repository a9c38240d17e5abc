"""`sitegen build --watch`: a real process that builds output/ again after every save."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

DRILL = "content/drills/dowel-hip-hinge.md"
PAGE = "output/drills/dowel-hip-hinge/index.html"


class Watching:
    """`sitegen build --watch` on a site, its terminal lines collected as they come."""

    def __init__(self, site: Path, *options: str):
        self.site = site
        self.lines: list[str] = []
        # faulthandler: a process that does not stop is made to print every thread's stack.
        self.proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "sitegen", "-C", str(site), "build",
                                      "--watch", *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, pattern: str, after: int = 0, timeout: float = 30) -> int:
        """Wait for a line matching `pattern` at index `after` or later; return its index."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i in range(after, len(self.lines)):
                if re.search(pattern, self.lines[i]):
                    return i
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.01)
        raise AssertionError(f"no line matching {pattern!r} after line {after}; got:\n" + "\n".join(self.lines))

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.site / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)  # faulthandler prints where each thread is
            self.proc.wait(10)
            self._reader.join(10)
            raise AssertionError("did not stop within 30 s:\n" + "\n".join(self.lines)) from None
        self._reader.join(10)
        return code


@pytest.fixture
def watching(example_site: Path):
    started: list[Watching] = []

    def start(*options: str) -> Watching:
        started.append(Watching(example_site, *options))
        return started[-1]

    yield start
    for w in started:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()


def page(site: Path) -> str:
    return (site / PAGE).read_text(encoding="utf-8")


def test_a_save_is_built_into_output_and_a_broken_one_keeps_the_last_good_build(watching, example_site: Path):
    w = watching("--no-cards")
    ready = w.wait_line(r"^watching for changes")
    assert re.match(r"built 10 pages \(\d+ files changed\) in \d+ ms", w.lines[0]), w.lines
    built = page(example_site)

    w.edit(DRILL, "Stand tall and hold a dowel", "Stand tall and grip a dowel")
    done = w.wait_line(r"^content/drills/dowel-hip-hinge\.md changed: built 10 pages \(\d+ files? changed\)", ready)
    assert "grip a dowel" in page(example_site)

    # A broken save: the error names its file, line and column; output/ stays as it was.
    good = page(example_site)
    w.edit(DRILL, "level: 1", "level: one")
    failed = w.wait_line(r"output/ keeps the last good build; fix and save", done)
    text = "\n".join(w.lines[done:failed + 1])
    assert re.search(r"content/drills/dowel-hip-hinge\.md:\d+:\d+: error\[VALUE001\]", text), text
    assert page(example_site) == good
    assert good != built

    w.edit(DRILL, "level: one", "level: 1")
    w.wait_line(r"changed: built 10 pages", failed)
    assert w.stop() == 0
    assert w.lines[-1] == "stopped watching"
    assert not list(example_site.glob(".output.new-*"))


def test_a_settings_edit_is_followed(watching, example_site: Path):
    w = watching("--no-cards")
    ready = w.wait_line(r"^watching for changes")
    settings = example_site / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('title = "Hinge & Hold"', 'title = "Hinge Lab"'),
                        encoding="utf-8")
    w.wait_line(r"^pyproject\.toml changed: built 10 pages", ready)
    assert "Hinge Lab" in (example_site / "output/index.html").read_text(encoding="utf-8")
    assert w.stop(signal.SIGTERM) == 0  # a polite kill ends it as Ctrl-C does


def test_the_options_of_build_apply_to_every_build(watching, example_site: Path, tmp_path: Path):
    elsewhere = tmp_path / "public"
    w = watching("--no-cards", "--output", str(elsewhere), "--base-url", "https://coach.example/hinge/")
    ready = w.wait_line(r"^watching for changes")
    w.edit(DRILL, "Stand tall and hold a dowel", "Stand tall and grip a dowel")
    w.wait_line(r"changed: built 10 pages", ready)
    drill = (elsewhere / "drills/dowel-hip-hinge/index.html").read_text(encoding="utf-8")
    assert "grip a dowel" in drill and "https://coach.example/hinge/" in drill
    assert not (example_site / "output").exists()
    w.stop()


def watch_with_a_save_during_the_first_build(site: Path, save: Callable[[], None]) -> list[str]:
    """Run the watch loop with `save()` made right after the first build read the site (before
    the watcher started); return the reports once it has caught up."""
    from sitegen.build.builder import Builder
    from sitegen.config import load_settings
    from sitegen.preview.session import Rebuilds, watch
    from sitegen.report import NullReporter

    class StopAfterCatchingUp(NullReporter):
        def info(self, message: str) -> None:
            super().info(message)
            if " changed:" in message:
                os.kill(os.getpid(), signal.SIGTERM)  # ends the watch, as `kill` would

    reporter = StopAfterCatchingUp()
    builds = 0

    def make_builder(settings):
        builder = Builder(settings, cards=False, reporter=reporter)
        real = builder.build

        def build():
            nonlocal builds
            result = real()
            builds += 1
            if builds == 1:
                save()
            return result
        builder.build = build
        return builder

    previous = signal.getsignal(signal.SIGTERM)
    give_up = threading.Timer(20, os.kill, (os.getpid(), signal.SIGTERM))  # no catching up: fail, not hang
    give_up.start()
    try:
        code = watch(Rebuilds(load_settings(site), make_builder, lambda _s: "output/ keeps it"), 1, reporter)
    finally:
        give_up.cancel()
        signal.signal(signal.SIGTERM, previous)
    assert code == 0
    return reporter.messages


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no way here to signal one thread")
def test_ctrl_c_ends_the_watch_even_when_another_thread_receives_it(example_site: Path):
    """The system hands a signal for the process to any thread not blocking it (the watcher has
    several); Python acts on it in the main thread only, which must not sleep on until a save."""
    from sitegen.build.builder import Builder
    from sitegen.config import load_settings
    from sitegen.preview.session import Rebuilds, watch
    from sitegen.report import NullReporter

    def interrupt_from_a_thread() -> None:
        time.sleep(0.2)  # the main thread waits for a save by now
        give_up.start()  # counted from the signal: a slow first build cannot fail the test
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    class InterruptOnceWatching(NullReporter):
        def info(self, message: str) -> None:
            super().info(message)
            if message.startswith("watching for changes"):
                threading.Thread(target=interrupt_from_a_thread).start()

    rescued = threading.Event()

    def rescue() -> None:  # a save wakes a main thread that missed the signal: fail, not hang
        rescued.set()
        path = example_site / DRILL
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    give_up = threading.Timer(10, rescue)
    try:
        rebuilds = Rebuilds(load_settings(example_site), lambda s: Builder(s, cards=False), lambda _s: "")
        code = watch(rebuilds, 1, InterruptOnceWatching())
    finally:
        give_up.cancel()
    assert code == 0
    assert not rescued.is_set(), "the watch slept through Ctrl-C until a file changed"


def test_a_save_during_the_first_build_is_not_missed(example_site: Path):
    """The watcher starts after the first build (which may fork); a save meanwhile still counts."""
    path = example_site / DRILL
    messages = watch_with_a_save_during_the_first_build(example_site, lambda: path.write_text(
        path.read_text(encoding="utf-8").replace("hold a dowel", "grip a dowel"), encoding="utf-8"))
    assert any(m.startswith(f"{DRILL} changed: built 10 pages") for m in messages), messages
    assert "grip a dowel" in page(example_site)


def test_a_settings_edit_during_the_first_build_is_applied(example_site: Path):
    settings = example_site / "pyproject.toml"
    messages = watch_with_a_save_during_the_first_build(example_site, lambda: settings.write_text(
        settings.read_text(encoding="utf-8").replace('title = "Hinge & Hold"', 'title = "Hinge Lab"'),
        encoding="utf-8"))
    assert any(m.startswith("pyproject.toml changed: built 10 pages") for m in messages), messages
    assert "Hinge Lab" in (example_site / "output/index.html").read_text(encoding="utf-8")


def test_a_new_content_folder_is_watched_even_while_it_fails_to_build(watching, example_site: Path):
    """Settings that move content/ elsewhere are followed at once: fixing the error the new
    folder holds builds the site."""
    shutil.copytree(example_site / "content", example_site / "lessons")
    broken = example_site / "lessons/drills/dowel-hip-hinge.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("level: 1", "level: one"), encoding="utf-8")
    w = watching("--no-cards")
    ready = w.wait_line(r"^watching for changes")
    settings = example_site / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("[tool.sitegen]\n", '[tool.sitegen]\ncontent_dir = "lessons"\n'), encoding="utf-8")
    failed = w.wait_line(r"keeps the last good build; fix and save", ready)
    assert any("lessons/drills/dowel-hip-hinge.md" in line and "VALUE001" in line for line in w.lines[ready:failed])
    broken.write_text(broken.read_text(encoding="utf-8").replace("level: one", "level: 1"), encoding="utf-8")
    built = w.wait_line(r" changed: built 10 pages", failed, timeout=10)
    # The settings save's last file event (its close) may reach the watcher after the build it
    # started has begun, and then comes with the fix: the line may name pyproject.toml too.
    names = w.lines[built].split(" changed:")[0].split(", ")
    assert "lessons/drills/dowel-hip-hinge.md" in names, w.lines[built]
    assert set(names) <= {"lessons/drills/dowel-hip-hinge.md", "pyproject.toml"}, w.lines[built]
    assert w.stop() == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no forked workers where there is no fork")
def test_sigterm_stops_the_watch_and_ends_its_forked_workers_quietly():
    from sitegen.preview.session import terminate_as_interrupt

    previous = signal.getsignal(signal.SIGTERM)
    try:
        terminate_as_interrupt()
        pid = os.fork()
        if pid == 0:  # a render worker: its pool ends it with SIGTERM
            try:
                time.sleep(10)
            finally:
                os._exit(1)
        time.sleep(0.1)
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM, status
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
    finally:
        signal.signal(signal.SIGTERM, previous)
