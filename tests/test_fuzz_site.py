"""Site-level fuzzing: random edits, careless or hostile, to a small site; after each one,
`check` and `build` agree (check fails exactly when build does), and neither raises anything
but a content or usage error."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from conftest import copy_example_site

from sitegen.build.builder import build
from sitegen.check.checker import check
from sitegen.config import load_settings
from sitegen.errors import ContentError, UsageError
from sitegen.report import NullReporter

PAGE = "---\ntype: {type}\ntitle: {title}\n{extra}---\n\n{body}\n"
TYPES = ["page", "drill", "exercise", "guide", "nonsense"]
TITLES = ["Plain", '"Quoted: yes"', "[a, b]", '"Bell\\x07"', "7" * 5000, "'--- x'", "Tab\there"]
EXTRAS = ["", "slug: tags\n", "slug: index\n", "slug: feed.xml\n", "slug: " + "s" * 260 + "\n", "level: 9\n",
          "next: ../drills/dowel-hip-hinge.md\n", "reps: 1-" + "9" * 20 + "\n", "image: ../about.md\n",
          "tags: [" + "t " * 150 + "]\n", "date: 2026-02-30\n", "cues:\n  - Cue 1: keep flat\n", "draft: true\n",
          "slug: learn-the-hip-hinge-deck\n", "mastery: m\n"]
BODIES = ["Text.", "[x](../nowhere.md)", "<a href=javascript:alert(1)>x</a>", "<img src=file:///etc/passwd alt=x>",
          "- " * 40 + "deep", "[" * 3000, "a <b never closed", "## Same\n\n## Same", "&amp;" * 50,
          "> " * 35 + "quote", "<form action=../x.md>", "![](../images/dowel-hip-hinge.svg)", "`<code>` fine",
          "text\x0bwith a control character", "[a](" * 2000]
FOLDERS = ["", "drills/", "exercises/", "guides/", "tags/", "static/", "cards/"]


def edit(site: Path, rng: random.Random, outside: Path) -> str:
    """One random change to the site; returns what it did."""
    content = site / "content"
    kind = rng.choice(["page", "page", "page", "file", "link", "remove", "bytes"])
    name = f"{rng.choice(FOLDERS)}f{rng.randrange(6)}"
    path = content / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.with_suffix(".md").is_symlink() or path.is_symlink():
        os.unlink(path if path.is_symlink() else path.with_suffix(".md"))
    if kind == "page":
        text = PAGE.format(type=rng.choice(TYPES), title=rng.choice(TITLES), extra="".join(rng.sample(EXTRAS, 2)),
                           body="\n\n".join(rng.sample(BODIES, 2)))
        path.with_suffix(".md").write_text(text, encoding="utf-8")
        return f"page {name}.md"
    if kind == "file":
        target = path.with_name(rng.choice(["index.html", "feed.xml", "sitemap.xml", "x.png", "404.html"]))
        target.write_bytes(b"<p>mine</p>")
        return f"file {target.relative_to(content)}"
    if kind == "link":
        link = path.with_suffix(".txt")
        if not link.is_symlink() and not link.exists():
            link.symlink_to(rng.choice([outside, content / "missing", link, content / "about.md", content]))
        return f"link {link.relative_to(content)}"
    if kind == "bytes":
        path.with_suffix(".md").write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60))))
        return f"bytes {name}.md"
    victims = [p for p in content.rglob("f*") if p.is_file() or p.is_symlink()]
    if victims:
        victim = rng.choice(victims)
        victim.unlink()
        return f"removed {victim.relative_to(content)}"
    return "nothing"


def outcome(site: Path) -> tuple[bool, bool]:
    """(check failed, build failed); anything but a content or usage error propagates."""
    settings = load_settings(site)
    checked = check(settings).failed()  # a build without cards: no card outputs to claim
    try:
        build(settings, cards=False, reporter=NullReporter(), jobs=1)
        built = False
    except (ContentError, UsageError):
        built = True
    return checked, built


@pytest.mark.parametrize("seed", [1, 2])
def test_check_and_build_agree_after_every_random_edit(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    site = copy_example_site(tmp_path / "site")
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the web")
    failures = 0
    for step in range(40):
        what = edit(site, rng, outside)
        checked, built = outcome(site)
        assert checked == built, f"step {step}: {what}: check {'failed' if checked else 'passed'}, build did not"
        failures += checked
        if built and rng.random() < 0.3:  # sometimes start again from a good site
            shutil.rmtree(site / "content")
            shutil.copytree(Path(__file__).parent.parent / "content", site / "content")
            assert outcome(site) == (False, False)
    assert failures >= 10  # the edits do reach the checker's refusals
    assert not (site / "output" / "secret.txt").exists()
