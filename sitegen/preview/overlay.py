"""The build's errors as the preview's overlay (overlay.js) lists them over the last good page."""

from __future__ import annotations

from sitegen.diagnostics import ERROR, Diagnostic, sort_key


def overlay_entries(diagnostics: list[Diagnostic]) -> list[dict]:
    """The errors as the overlay lists them: `file:line:col` and the same text the terminal shows."""
    entries = []
    for d in sorted((d for d in diagnostics if d.severity == ERROR), key=sort_key):
        location = f"{d.file}:{d.line}:{d.column}"
        entries.append({**d.to_json(), "location": location, "text": d.format()[len(location) + 2:]})
    return entries
