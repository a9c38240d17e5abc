"""Watch a site's sources with the operating system's file events (inotify on Linux).

Only content/, templates/, static/ and the settings files are watched, never the site folder
as a whole: the preview folder, the build cache and a virtualenv live there, and watching
them would turn every build into the cause of the next one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from sitegen import theme
from sitegen.config import Settings
from sitegen.content.loader import ignored

SETTINGS_FILES = ("sitegen.toml", "pyproject.toml")


def source_folders(settings: Settings) -> list[Path]:
    folders = [settings.content_path, *theme.folders(settings, "templates"), *theme.folders(settings, "static")]
    return [p for p in folders if p.is_dir()]


def is_settings_file(path: Path, settings: Settings) -> bool:
    return path.parent == settings.root and path.name in SETTINGS_FILES


class SourceWatcher:
    """Calls `on_change(path)` from the watcher's own thread for every relevant file event."""

    def __init__(self, settings: Settings, on_change: Callable[[Path], None]):
        self.on_change = on_change
        self.settings = settings
        self._observer = None
        self._folders: list[Path] = []

    def start(self) -> None:
        from watchdog.observers import Observer

        self._observer = Observer()
        self._schedule()
        self._observer.start()

    def retarget(self, settings: Settings) -> None:
        """Follow a settings change that renamed a source folder."""
        self.settings = settings
        if self._observer is not None and source_folders(settings) != self._folders:
            self._observer.unschedule_all()
            self._schedule()

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            # Its threads are daemon threads: should one not end (it waits in the kernel), Ctrl-C
            # must still end sitegen, and the process ends them.
            self._observer.join(timeout=5)
            self._observer = None

    def _schedule(self) -> None:
        from watchdog import events

        # Reads must not wake us (the build reads every source), so opened/closed-without-write
        # events stay unsubscribed; directory "modified" events only echo a file event.
        wanted = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent,
                  events.FileMovedEvent, events.FileClosedEvent, events.DirCreatedEvent,
                  events.DirDeletedEvent, events.DirMovedEvent]
        handler = _Handler(self)
        self._folders = source_folders(self.settings)
        for folder in self._folders:
            self._observer.schedule(handler, str(folder), recursive=True, event_filter=wanted)
        self._observer.schedule(handler, str(self.settings.root), recursive=False, event_filter=wanted)

    def relevant(self, path: Path) -> bool:
        if is_settings_file(path, self.settings):
            return True
        for folder in self._folders:
            if path.is_relative_to(folder) and path != folder:
                return not any(ignored(part) for part in path.relative_to(folder).parts)
        return False


class _Handler:
    """The watchdog side: turns events into paths; a move counts for both its ends."""

    def __init__(self, watcher: SourceWatcher):
        self.watcher = watcher

    def dispatch(self, event) -> None:
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                path = Path(raw if isinstance(raw, str) else raw.decode())
                if self.watcher.relevant(path):
                    self.watcher.on_change(path)
