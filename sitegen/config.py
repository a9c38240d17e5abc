"""Site settings: one typed, validated object read from `sitegen.toml` or `[tool.sitegen]`."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from sitegen.errors import UsageError

CARD_SIZES = ("4x6", "a6", "letter-4up", "a4-4up")
# Characters XML 1.0 or HTML do not allow in text (a feed holding one is not well-formed): refused
# in the settings and in front matter.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Settings:
    """Every setting a site can make, with its default. The README documents each."""

    title: str = "Untitled site"
    base_url: str = "http://localhost/"
    author: str = ""
    language: str = "en"
    description: str = ""
    content_dir: str = "content"
    templates_dir: str = "templates"
    static_dir: str = "static"
    output_dir: str = "output"
    card_size: str = "4x6"
    render_time_limit: str = "10"  # seconds one output may take to render (see watchdog.py)
    # Not settable: where the settings came from and the site folder they belong to.
    source: str = field(default="", compare=False)
    root: Path = field(default=Path("."), compare=False)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. '/coach/' for https://example.org/coach/."""
        return urlsplit(self.base_url).path

    @property
    def render_seconds(self) -> float:
        return _seconds(self.render_time_limit)

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def templates_path(self) -> Path:
        return self.root / self.templates_dir

    @property
    def static_path(self) -> Path:
        return self.root / self.static_dir

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir

    def line_of(self, key: str) -> int:
        """The line a setting is written on in the settings file (1 when it is not written)."""
        path = self.root / self.source
        return _line_of(path.read_text(encoding="utf-8"), key) if path.is_file() else 1

    def with_base_url(self, base_url: str) -> "Settings":
        return replace(self, base_url=normalise_base_url(base_url, "--base-url"))


SETTABLE = [f.name for f in fields(Settings) if f.name not in ("source", "root")]


# The settings table's header; keys are looked up after it because pyproject.toml's [project]
# table has keys of the same names (description, …).
_HEADER = re.compile(r"^[ \t]*\[[ \t]*(?:tool[ \t]*\.[ \t]*)?sitegen[ \t]*\]", re.MULTILINE)


def _line_of(text: str, key: str) -> int:
    return _position(text, key)[0]


def _position(text: str, key: str) -> tuple[int, int]:
    """The line a setting is written on in the settings file, and the column its value starts at
    (1 when it is not written)."""
    header = _HEADER.search(text)
    start = header.start() if header else 0
    match = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=[ \t]*", re.MULTILINE).search(text, start)
    if not match:
        return text.count("\n", 0, start) + 1, 1
    return text.count("\n", 0, match.start()) + 1, match.end() - match.start() + 1


def _seconds(text: str) -> float:
    """A number of seconds written as "10" or "10s"; 0 when it is neither."""
    try:
        return float(text.strip().removesuffix("s"))
    except ValueError:
        return 0.0


def normalise_base_url(url: str, where: str) -> str:
    """`where` names what to blame: 'file:line:1' for a setting, '--base-url' for the option."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"{where}: error[CONF003]: base_url {url!r} is not an absolute http(s) URL; "
            "write it like 'https://example.org/' or 'https://example.org/coach/'"
        )
    if parts.query or parts.fragment:
        raise UsageError(f"{where}: error[CONF003]: base_url {url!r} must not carry a query or fragment")
    return url if url.endswith("/") else url + "/"


def _read_table(root: Path) -> tuple[dict, str, str]:
    """Return (settings table, file name, file text); sitegen.toml wins over pyproject.toml."""
    own = root / "sitegen.toml"
    if own.is_file():
        name, text = "sitegen.toml", _read(own)
        table = _parse(text, name)
        table = table.get("sitegen", table)
    elif (root / "pyproject.toml").is_file():
        name, text = "pyproject.toml", _read(root / "pyproject.toml")
        tool = _parse(text, name).get("tool", {})
        table = tool.get("sitegen", {}) if isinstance(tool, dict) else {}
    else:
        return {}, "", ""
    if not isinstance(table, dict):
        raise UsageError(f"{name}:{_line_of(text, 'sitegen')}:1: error[CONF001]: 'sitegen' must be a table of "
                         "settings; write them under a [sitegen] (or [tool.sitegen] in pyproject.toml) header")
    return table, name, text


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path.name}:1:1: error[CONF001]: invalid TOML: the file is not UTF-8 text "
                         f"(byte {exc.start}); save it as UTF-8") from None


def _parse(text: str, name: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts "(at line L, column C)" at the end of its message.
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (m.group(1), m.group(2)) if m else ("1", "1")
        what = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        hint = ("put text in double quotes, e.g. title = \"My site\"" if what == "Invalid value"
                else "fix the syntax there")
        raise UsageError(f"{name}:{line}:{col}: error[CONF001]: invalid TOML: {what}; {hint}") from None


def load_settings(root: Path) -> Settings:
    """Read and validate the settings of the site in `root`; every problem is a UsageError."""
    root = root.resolve()
    table, source, text = _read_table(root)
    problems: list[str] = []
    values: dict = {}
    for key, value in table.items():
        line = _line_of(text, key)
        if key not in SETTABLE:
            close = difflib.get_close_matches(key, SETTABLE, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known settings: {', '.join(SETTABLE)}"
            problems.append(f"{source}:{line}:1: error[CONF002]: unknown setting '{key}'; {hint}")
            continue
        if not isinstance(value, str):
            problems.append(
                f"{source}:{line}:1: error[CONF004]: setting '{key}' must be a string, not {type(value).__name__}; "
                f'write it in quotes, e.g. {key} = "{value}"'
            )
            continue
        bad = CONTROL.search(value)
        if bad:
            line, column = _position(text, key)
            problems.append(f"{source}:{line}:{column}: error[CONF007]: setting '{key}' holds the control character "
                            f"U+{ord(bad.group()):04X}, which feeds and web pages cannot carry; remove the escape "
                            "(such as \\u0007) from the text")
            continue
        values[key] = value
    if "base_url" in values:
        try:
            values["base_url"] = normalise_base_url(values["base_url"], f"{source}:{_line_of(text, 'base_url')}:1")
        except UsageError as exc:
            problems.append(str(exc))
    size = values.get("card_size", Settings.card_size).lower()
    if size not in CARD_SIZES:
        problems.append(
            f"{source}:{_line_of(text, 'card_size')}:1: error[CONF005]: card_size {size!r} is not known; "
            f"use one of {', '.join(CARD_SIZES)}"
        )
    values["card_size"] = size
    limit = values.get("render_time_limit", Settings.render_time_limit)
    if not 0 < _seconds(limit) < float("inf"):
        problems.append(f"{source}:{_line_of(text, 'render_time_limit')}:1: error[CONF008]: render_time_limit "
                        f"{limit!r} is not a number of seconds above 0; write it like \"10\" (seconds)")
    if problems:
        raise UsageError("\n".join(problems))
    return Settings(**values, source=source or "settings", root=root)
