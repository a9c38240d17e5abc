"""A deterministic generator of N-page sitegen sites for the benchmarks.

`generate(dest, n, seed)` writes a complete site folder: `sitegen.toml`, the example site's
`templates/` and `static/`, and `content/` with N pages. Pages come in "skills" of ten: a
guide, four drills in a valid progression (`next` and `prerequisites` agree, levels rise,
every drill with a `next` has a `mastery` gate, the guide lists the drills in order) and five
exercises that require the last drill. The few pages left over are plain pages. Every page
has about 600 words of body with headings, lists, a table, a fenced code block, an SVG
illustration with alt text and links to other pages whose anchors exist. The same seed
always gives byte-identical files.

    python -m benchmarks.corpus DEST --pages 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DRILLS = 4
EXERCISES = 5
SKILL_PAGES = 1 + DRILLS + EXERCISES

MOVES = ["hip hinge", "squat", "push-up", "row", "lunge", "plank", "pull-up", "bridge", "carry", "dip",
         "step-up", "press", "pallof press", "dead bug", "bird dog", "calf raise", "pike", "hollow hold"]
STYLES = ["tempo", "paused", "single-leg", "banded", "isometric", "eccentric", "split", "offset", "staggered",
          "elevated", "deficit", "half-kneeling", "tall-kneeling", "wall", "supported", "loaded"]
TAGS = ["beginner", "intermediate", "advanced", "mobility", "strength", "core", "posterior-chain", "legs",
        "upper-body", "pushing", "pulling", "balance", "bodyweight", "band", "dumbbell", "kettlebell",
        "technique", "warm-up", "conditioning", "stability", "grip", "shoulders", "hips", "knees",
        "rehab-friendly", "home", "gym", "outdoor", "quick", "unilateral"]
EQUIPMENT = ["dowel", "resistance band", "dumbbell", "kettlebell", "bench", "box", "mat", "cable", "barbell"]
MUSCLES = ["glutes", "hamstrings", "quadriceps", "calves", "lats", "upper back", "chest", "triceps",
           "biceps", "shoulders", "abdominals", "obliques", "hip flexors", "forearms"]
WORDS = ("keep the spine long and let the hips travel back while the knees stay soft and quiet under "
         "the load slow down each rep breathe out as you stand tall press the floor away feel the "
         "hamstrings stretch and the glutes switch on control the lowering phase own the bottom "
         "position before adding weight pause for a breath reset your grip stack ribs over pelvis "
         "brace gently through the middle keep the neck in line with the back look at the floor a "
         "short way ahead track the knees over the toes spread the weight across the whole foot "
         "stop the set when form slips rest fully between sets film one set from the side compare it "
         "with the cues write down what changed next time add a rep before adding load").split()
SECTIONS = ["Set-up", "How to do it", "What to feel", "Programming", "Why it matters"]


@dataclass(frozen=True)
class Entry:
    source: str  # content-relative path
    kind: str
    title: str
    level: int = 0


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _rel(source: str, target: str) -> str:
    """The path of `target` relative to the folder of `source`, as a page writes it."""
    here, there = source.split("/")[:-1], target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


class Writer:
    def __init__(self, root: Path, n: int, seed: int):
        self.root = root
        self.content = root / "content"
        self.rng = random.Random(seed)
        self.skills = max(1, (n - 1) // SKILL_PAGES)
        self.extra = max(1, n - self.skills * SKILL_PAGES)
        self.entries: list[Entry] = []

    # --- text ----------------------------------------------------------------------------------

    def sentence(self, low: int = 8, high: int = 16) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high))]
        return " ".join(words).capitalize() + "."

    def paragraph(self, sentences: int = 5) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def link(self, source: str, target: Entry, anchor: str = "") -> str:
        where = _rel(source, target.source) + (f"#{_slug(anchor)}" if anchor else "")
        return f"[{target.title.lower()}]({where})"

    def body(self, entry: Entry, image: str, alt: str, links: list[tuple[Entry, str]]) -> str:
        first, *others = links
        parts = [f"{self.paragraph(4)} Start from {self.link(entry.source, *first)} if this is new to you."]
        parts += [f"## {SECTIONS[0]}", self.paragraph(5), f"![{alt}]({_rel(entry.source, image)})"]
        parts += [f"## {SECTIONS[1]}", "\n".join(f"{i}. {self.sentence(8, 14)}" for i in range(1, 7))]
        parts += [f"## {SECTIONS[2]}", self.paragraph(5), "\n".join(f"- {self.sentence(5, 9)}" for _ in range(4))]
        rows = [f"| {w} | {self.rng.randint(2, 4)} | {self.rng.randint(5, 12)} | {self.rng.choice((60, 90, 120))} s |"
                for w in range(1, 5)]
        parts += [f"## {SECTIONS[3]}", self.paragraph(3), "| Week | Sets | Reps | Rest |\n|---|---|---|---|\n" + "\n".join(rows)]
        log = "\n".join(f"2026-0{w}-1{w}  {self.rng.randint(2, 4)} x {self.rng.randint(5, 12)}  felt solid" for w in range(1, 4))
        parts += ["Log each session in a plain text file:", f"```text\ndate        sets  notes\n{log}\n```"]
        see_also = ", ".join(self.link(entry.source, t, a) for t, a in others)
        parts += [f"## {SECTIONS[4]}", f"{self.paragraph(5)} See also {see_also}."]
        return "\n\n".join(parts) + "\n"

    # --- files ---------------------------------------------------------------------------------

    def write(self, entry: Entry, front: list[str], body: str) -> None:
        path = self.content / entry.source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(front) + "\n---\n\n" + body, encoding="utf-8")

    def svg(self, name: str, title: str) -> str:
        rel = f"images/{name}.svg"
        hue = self.rng.randint(0, 359)
        x = self.rng.randint(120, 280)
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" role="img" aria-label="{title}">\n'
            f'<rect width="400" height="300" fill="#fff"/>\n'
            f'<g fill="none" stroke="hsl({hue},45%,30%)" stroke-width="6" stroke-linecap="round">\n'
            f'<path stroke-width="2" d="M30,262 H370"/><circle cx="{x}" cy="70" r="14"/>\n'
            f'<path d="M{x},84 L{x - 10},170 L{x - 30},256 M{x - 10},170 L{x + 20},256 M{x},110 L{x + 50},140"/>\n'
            f'</g>\n</svg>\n', encoding="utf-8")
        return rel

    def common(self, entry: Entry, day: int, summary: str, image: str, alt: str) -> list[str]:
        date = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        tags = self.rng.sample(TAGS, 3)
        return [f"type: {entry.kind}", f"title: {entry.title}", f"date: {date.isoformat()}", f"summary: {summary}",
                "tags:", *(f"  - {t}" for t in tags), f"image: {_rel(entry.source, image)}", f"image_alt: {alt}"]

    def movement(self, entry: Entry, prerequisites: list[Entry], following: list[Entry], gate: bool) -> list[str]:
        lines = [f"level: {entry.level}", "equipment:", f"  - {self.rng.choice(EQUIPMENT)}", "muscles:",
                 *(f"  - {m}" for m in self.rng.sample(MUSCLES, 2)), f"sets: {self.rng.randint(2, 3)}",
                 f"reps: \"{self.rng.randint(5, 8)}-{self.rng.randint(9, 12)}\"", "cues:",
                 *(f"  - {self.sentence(3, 6)[:-1]}" for _ in range(4)), "faults:"]
        for _ in range(2):
            lines += [f"  - fault: {self.sentence(6, 10)}", f"    fix: {self.sentence(6, 10)}"]
        lines += ["variations:"]
        for i in range(3):
            lines += [f"  - title: Variation {i + 1}", f"    how: {self.sentence(8, 12)}"]
        if gate:
            lines.append(f"mastery: {self.rng.randint(2, 3)} sets of {self.rng.randint(6, 10)} clean reps with every cue held")
        if prerequisites:
            lines += ["prerequisites:", *(f"  - {_rel(entry.source, p.source)}" for p in prerequisites)]
            lines.append(f"regression: {_rel(entry.source, prerequisites[-1].source)}")
        if following:
            lines += ["next:", *(f"  - {_rel(entry.source, f.source)}" for f in following)]
        return lines

    # --- the site ------------------------------------------------------------------------------

    def plan(self) -> list[tuple[Entry, list[Entry], list[Entry]]]:
        """Every skill as (guide, drills, exercises), titles unique across the site."""
        skills = []
        for k in range(self.skills):
            move = MOVES[k % len(MOVES)]
            round_ = k // len(MOVES) + 1
            name = f"{move} {round_}" if round_ > 1 else move
            slug = _slug(name)
            guide = Entry(f"guides/learn-{slug}.md", "guide", f"Learn the {name}".title())
            drills = [Entry(f"drills/{slug}-step-{i + 1}.md", "drill",
                            f"{STYLES[(k + i) % len(STYLES)]} {name} drill {i + 1}".capitalize(), i + 1)
                      for i in range(DRILLS)]
            exercises = [Entry(f"exercises/{slug}-{STYLES[(k * 3 + i) % len(STYLES)]}.md", "exercise",
                               f"{STYLES[(k * 3 + i) % len(STYLES)]} {name}".capitalize(), DRILLS + (i % 2))
                         for i in range(EXERCISES)]
            skills.append((guide, drills, exercises))
        return skills

    def run(self) -> None:
        skills = self.plan()
        guides = [g for g, _, _ in skills]
        day = 0
        for k, (guide, drills, exercises) in enumerate(skills):
            other = guides[(k + 1) % len(guides)]
            overview = self.svg(_slug(guide.title), guide.title)
            alt = f"A figure showing the {guide.title.lower()} position"
            front = self.common(guide, day, self.sentence(), overview, alt)
            front += ["drills:", *(f"  - {_rel(guide.source, d.source)}" for d in drills),
                      "exercises:", *(f"  - {_rel(guide.source, e.source)}" for e in exercises)]
            self.write(guide, front, self.body(guide, overview, alt, [(drills[0], ""), (other, SECTIONS[4]),
                                                                      (exercises[0], SECTIONS[1])]))
            for i, drill in enumerate(drills):
                day += 1
                image = self.svg(_slug(drill.title), drill.title)
                alt = f"A figure doing the {drill.title.lower()}"
                before = drills[i - 1:i]
                after = [drills[i + 1]] if i + 1 < len(drills) else exercises
                front = self.common(drill, day, self.sentence(), image, alt) + self.movement(drill, before, after, True)
                self.write(drill, front, self.body(drill, image, alt, [(guide, SECTIONS[0]), (other, SECTIONS[2])]))
            for exercise in exercises:
                day += 1
                alt = f"A figure doing the {exercise.title.lower()}"
                front = self.common(exercise, day, self.sentence(), overview, alt)
                front += self.movement(exercise, [drills[-1]], [], False)
                self.write(exercise, front, self.body(exercise, overview, alt, [(drills[-1], SECTIONS[1]),
                                                                                (guide, SECTIONS[3])]))
        for j in range(self.extra):
            page = Entry("about.md" if j == 0 else f"notes/note-{j}.md", "page", "About" if j == 0 else f"Note {j}")
            image = self.svg(f"note-{j}", page.title)
            alt = f"An illustration for {page.title.lower()}"
            front = self.common(page, j, self.sentence(), image, alt)
            self.write(page, front, self.body(page, image, alt, [(guides[j % len(guides)], SECTIONS[1]),
                                                                 (guides[(j + 1) % len(guides)], "")]))


def generate(dest: Path, n: int, seed: int = 7) -> Path:
    """Write an n-page site into `dest` (which must not exist yet) and return it."""
    if n < SKILL_PAGES + 1:
        raise ValueError(f"a corpus needs at least {SKILL_PAGES + 1} pages")
    dest.mkdir(parents=True)
    for folder in ("templates", "static"):
        shutil.copytree(REPO / folder, dest / folder)
    (dest / "sitegen.toml").write_text(
        "[sitegen]\n"
        f'title = "Benchmark site, {n} pages"\n'
        'base_url = "https://example.org/coach/"\n'
        'author = "sitegen benchmarks"\n'
        'description = "A generated site for timing sitegen."\n', encoding="utf-8")
    Writer(dest, n, seed).run()
    return dest


def main() -> None:
    p = argparse.ArgumentParser(description="Write a generated benchmark site.")
    p.add_argument("dest", type=Path)
    p.add_argument("--pages", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    generate(args.dest, args.pages, args.seed)


if __name__ == "__main__":
    main()
