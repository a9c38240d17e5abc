"""The benchmark corpus: a generated site is a valid site (no timings here: see benchmarks/)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from conftest import REPO

from sitegen.check.checker import check
from sitegen.config import load_settings
from sitegen.content.model import Guide, Movement


def corpus():
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module
    spec.loader.exec_module(module)
    return module


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generated_site_checks_clean_with_valid_progressions(tmp_path: Path) -> None:
    site = corpus().generate(tmp_path / "site", 45)
    checked = check(load_settings(site))
    assert checked.diagnostics == []
    assert checked.pages == 45
    pages = checked.site.pages
    guides = [p for p in pages if isinstance(p, Guide)]
    assert len(guides) == 4
    graph = checked.site.graph
    for guide in guides:
        drills = graph.resolve_all(guide.drills)
        assert [d.type for d in drills] == ["drill"] * 4
        for before, after in zip(drills, drills[1:]):
            assert graph.next_of(before)[0] is after and graph.prerequisites_of(after) == [before]
            assert before.mastery and before.level <= after.level
        for exercise in graph.resolve_all(guide.exercises):
            assert graph.prerequisites_of(exercise) == [drills[-1]]
    movements = [p for p in pages if isinstance(p, Movement)]
    assert all(p.image and p.image_alt and p.tags for p in pages)
    words = [len(p.body.split()) for p in movements]
    assert 400 < sum(words) / len(words) < 800


def test_same_seed_same_site(tmp_path: Path) -> None:
    make = corpus().generate
    assert files(make(tmp_path / "a", 25)) == files(make(tmp_path / "b", 25))
    assert files(make(tmp_path / "c", 25, seed=1)) != files(tmp_path / "a")
