"""The built-in theme: the templates and static files every site builds with.

A site's own `templates/` and `static/` override the theme file by file: the first folder
holding a name wins, the site's before the theme's (like MkDocs' `custom_dir`). In this
repository the theme is the top-level `templates/` and `static/`; the build configuration maps
them into the installed package as `sitegen/theme/templates` and `sitegen/theme/static`.
Run from its source folder (an editable install), the package reads that same mapping in the
checkout's pyproject.toml and uses the top-level folders themselves: edits there show at once.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sitegen.config import Settings
from sitegen.errors import UsageError

KINDS = ("templates", "static")


def folder(kind: str) -> Path:
    """The theme's `templates` or `static` folder."""
    packaged = Path(__file__).parent / kind
    if packaged.is_dir():
        return packaged
    source = _checkout_folder(kind)
    if source is not None and source.is_dir():
        return source
    raise UsageError(f"error: sitegen's built-in theme has no {kind}/ folder (looked in {packaged}); "
                     "reinstall sitegen")


def _checkout_folder(kind: str) -> Path | None:
    """The folder the build configuration maps to `sitegen.theme.<kind>`, when this package runs
    from its source checkout (sitegen/theme/ beside the project's pyproject.toml)."""
    import tomllib

    project = Path(__file__).resolve().parents[2]
    try:
        config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if config.get("project", {}).get("name") != "sitegen":
        return None
    mapped = config.get("tool", {}).get("setuptools", {}).get("package-dir", {}).get(f"sitegen.theme.{kind}")
    return project / mapped if mapped else None


def folders(settings: Settings, kind: str) -> list[Path]:
    """Where to look for a template or a static file, first match wins: the site's, the theme's."""
    own = settings.templates_path if kind == "templates" else settings.static_path
    return [own, folder(kind)]


def find(settings: Settings, kind: str, name: str) -> Path | None:
    """The file that `name` (e.g. 'card.css') stands for: the site's override or the theme's."""
    for base in folders(settings, kind):
        path = base / name
        if path.is_file():
            return path
    return None


def is_theme_file(path: str | Path) -> bool:
    return any(Path(path).is_relative_to(folder(kind)) for kind in KINDS)


def names(kind: str) -> list[str]:
    """The theme's files of one kind, by path inside its folder."""
    base = folder(kind)
    return sorted(Path(dirpath, name).relative_to(base).as_posix()
                  for dirpath, _dirs, files in os.walk(base) for name in files if not name.startswith("."))


def kind_of(name: str) -> tuple[str, str]:
    """(kind, path inside it) of a name the user gave: 'drill.html', 'static/style.css', 'style.css'."""
    head, _, rest = name.partition("/")
    if head in KINDS and rest in names(head):
        return head, rest
    found = [kind for kind in KINDS if name in names(kind)]
    if not found:
        import difflib

        every = names("templates") + names("static")
        close = difflib.get_close_matches(name, every, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "see them with: sitegen theme --list"
        raise UsageError(f"error: the theme has no file '{name}'; {hint}")
    return found[0], name


def copy(settings: Settings, wanted: list[str]) -> list[Path]:
    """Copy theme files into the site's templates/ or static/ folder to customize them; an
    existing file is never replaced (that name is refused, and nothing is copied)."""
    plan: dict[Path, Path] = {}  # target → source: a file named twice is copied once
    for name in wanted:
        kind, rel = kind_of(name)
        target = folders(settings, kind)[0] / rel
        if target in plan:
            continue
        if target.exists():
            raise UsageError(f"error: {target.relative_to(settings.root).as_posix()} already exists; "
                             "sitegen never replaces your files (delete it first to start again from the theme's)")
        plan[target] = folder(kind) / rel
    for target, source in plan.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(source, "rb") as read, open(target, "xb") as write:  # "x": never over a file
            shutil.copyfileobj(read, write)
    return list(plan)
