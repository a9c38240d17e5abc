"""The fonts the card stylesheets name: are they installed, and which files are they?

Cards must look the same on every machine, so a font that is not installed is an error
(a silent fallback would reflow every card), and the font files are part of each card's
cache key. Fontconfig answers both questions, through ctypes: asking it costs about a
millisecond, where importing WeasyPrint to ask would cost half a second.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from sitegen.cache import digest
from sitegen.diagnostics import ERROR, Diagnostic

# The Debian package that installs each font the example templates may name.
PACKAGES = {"Noto Sans": "fonts-noto-core", "Noto Serif": "fonts-noto-core", "DejaVu Sans": "fonts-dejavu-core",
            "DejaVu Serif": "fonts-dejavu-core", "Liberation Sans": "fonts-liberation"}
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "inherit", "initial", "unset"}
STYLES = ("regular", "bold", "italic", "bold:italic")

_DECLARATION = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)


@dataclass(frozen=True)
class FontUse:
    """A `font-family` declaration's first family, and where it is written."""

    family: str
    file: str  # site-relative path of the stylesheet
    line: int
    column: int


def named_families(css: str, file: str) -> list[FontUse]:
    uses = []
    for m in _DECLARATION.finditer(css):
        first = m.group(1).split(",")[0].strip().strip("'\"")
        if first.lower() in GENERIC:
            continue
        line = css.count("\n", 0, m.start(1)) + 1
        column = m.start(1) - (css.rfind("\n", 0, m.start(1)) + 1) + 1
        uses.append(FontUse(first, file, line, column))
    return uses


@lru_cache(maxsize=1)
def _fontconfig():
    """libfontconfig with the four calls used here typed; None where it is not installed."""
    name = ctypes.util.find_library("fontconfig")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:  # found but not loadable (another architecture, a missing dependency)
        return None
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    return lib


def _get(lib, pattern: int, key: bytes) -> str:
    value = ctypes.c_char_p()
    lib.FcPatternGetString(pattern, key, 0, ctypes.byref(value))
    return (value.value or b"").decode("utf-8", "replace")


@lru_cache(maxsize=64)
def match(family: str, style: str) -> tuple[str, str] | None:
    """(family, file) of the font fontconfig picks for `family:style`; None without fontconfig."""
    lib = _fontconfig()
    if lib is None:
        return None
    pattern = lib.FcNameParse(f"{family}:{style}".encode())
    lib.FcConfigSubstitute(None, pattern, 0)  # 0: FcMatchPattern
    lib.FcDefaultSubstitute(pattern)
    result = ctypes.c_int()
    found = lib.FcFontMatch(None, pattern, ctypes.byref(result))
    lib.FcPatternDestroy(pattern)
    if not found:
        return None
    picked = (_get(lib, found, b"family"), _get(lib, found, b"file"))
    lib.FcPatternDestroy(found)
    return picked


def check_fonts(uses: list[FontUse]) -> tuple[str, list[Diagnostic]]:
    """A digest of the font files the stylesheets will get, and an error for each missing family."""
    parts: list[str] = []
    problems: list[Diagnostic] = []
    for use in uses:
        for style in STYLES:
            picked = match(use.family, style)
            if picked is None:  # no fontconfig to ask: key on the names alone
                parts.append(f"{use.family}:{style}")
                continue
            family, path = picked
            if family.lower() != use.family.lower():
                package = PACKAGES.get(use.family)
                how = f"install the Debian package {package}" if package else "install it"
                problems.append(Diagnostic(
                    use.file, use.line, use.column, ERROR, "CARD003",
                    f"the font '{use.family}' is not installed (cards would silently use '{family}' instead)",
                    f"{how}, or name an installed font here"))
                break
            try:
                stat = os.stat(path)
            except OSError:
                continue
            parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest(*sorted(set(parts))), sorted(set(problems))
