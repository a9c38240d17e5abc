"""Front matter: splitting a page, YAML errors and the file position of every value."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen.content.frontmatter import FrontMatterError, body_of, split

PAGE = """\
---
type: drill
title: Wall hinge
tags: [hip-hinge, beginner]
faults:
  - fault: Knees bend
    fix: Send the hips back
  - fault: Back rounds
    fix: Chest long
---

Body text.
"""


def test_split_gives_data_body_and_body_line() -> None:
    parsed = split(PAGE)
    assert parsed.front.data["title"] == "Wall hinge"
    assert parsed.front.data["faults"][1] == {"fault": "Back rounds", "fix": "Chest long"}
    assert parsed.body == "\nBody text.\n"
    assert parsed.body_line == 11  # the line after the closing '---'


@pytest.mark.parametrize("path, where", [
    (("type",), (2, 7)),
    (("title",), (3, 8)),
    (("tags", 1), (4, 19)),
    (("faults", 0, "fault"), (6, 12)),
    (("faults", 1, "fix"), (9, 10)),
    (("faults", 1), (8, 5)),
])
def test_every_value_has_its_file_position(path: tuple, where: tuple[int, int]) -> None:
    assert split(PAGE).front.pos(*path) == where


def test_keys_have_their_own_position_and_missing_paths_fall_back_to_the_parent() -> None:
    front = split(PAGE).front
    assert front.keys[("faults",)] == (5, 1)
    assert front.keys[("faults", 1, "fix")] == (9, 5)
    assert front.pos("faults", 1, "nope") == (8, 5)
    assert front.pos("missing") == (2, 1)  # the mapping itself


@pytest.mark.parametrize("newline, bom", [("\r\n", ""), ("\n", "\ufeff"), ("\r\n", "\ufeff")])
def test_crlf_and_bom_keep_positions(newline: str, bom: str) -> None:
    parsed = split(bom + PAGE.replace("\n", newline))
    assert parsed.front.data["faults"][1]["fix"] == "Chest long"  # no stray '\r' in values
    assert parsed.front.pos("faults", 1, "fix") == (9, 10)
    assert parsed.body_line == 11
    assert "\r" not in parsed.body


def test_dots_also_close_front_matter() -> None:
    parsed = split("---\ntitle: T\n...\nbody\n")
    assert parsed.front.data == {"title": "T"}
    assert parsed.body == "body\n"


def test_dates_are_dates() -> None:
    assert split("---\ndate: 2026-11-20\n---\n").front.data["date"] == dt.date(2026, 11, 20)


def test_empty_front_matter_is_an_empty_mapping() -> None:
    parsed = split("---\n---\nbody")
    assert parsed.front.data == {}
    assert parsed.front.pos() == (2, 1)


@pytest.mark.parametrize("text, where, message", [
    ("", (1, 1), "does not start with front matter"),
    ("# Just Markdown\n", (1, 1), "does not start with front matter"),
    ("\n---\ntitle: T\n---\n", (1, 1), "does not start with front matter"),
    ("---\ntitle: T\n\nbody without a closing line\n", (1, 1), "never closed"),
    ("---\ntype: drill\ntitle: a: b\n---\n", (3, 9), "not valid YAML: mapping values are not allowed"),
    ("---\ntype: drill\n  title: x\n---\n", (3, 8), "not valid YAML"),
    ("---\ntype: drill\n\ttitle: x\n---\n", (3, 1), "tab character"),
    ("---\ntype: drill\ntitle: [unclosed\n---\n", (4, 1), "did not find expected ',' or ']'"),
    ("---\ntype: drill\ntitle: T\ntitle: U\n---\n", (4, 1), "key 'title' appears twice"),
    ("---\nfaults:\n  - fault: a\n    fault: b\n---\n", (4, 5), "key 'fault' appears twice"),
    # An alias is the anchored node itself once composed, so the error points at the anchor.
    ("---\ntitle: &t T\nsummary: *t\n---\n", (2, 8), "anchors and aliases"),
    ("---\ncues: &c [a, b]\nfaults: [*c, *c]\n---\n", (2, 7), "anchors and aliases"),
    ("---\n- a\n- b\n---\n", (2, 1), "must be a mapping"),
    ("---\njust text\n---\n", (2, 1), "must be a mapping"),
    ("---\ntitle: !!python/object:os.system x\n---\n", (2, 8), "could not determine a constructor"),
    ("---\ndate: 2026-13-01\n---\n", (2, 7), "'2026-13-01' is not a real date"),
    ("---\ntitle: T\n1: one\n---\n", (3, 1), "key '1' is not a name"),
    ("---\ntitle: T\n<<: {summary: x}\n---\n", (3, 1), "key '<<' is not a name"),
    ("---\ntitle: T\n? [a]\n: x\n---\n", (3, 3), "key a list or mapping is not a name"),
])
def test_bad_front_matter_names_line_and_column(text: str, where: tuple[int, int], message: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        split(text)
    assert (caught.value.line, caught.value.column) == where
    assert message in caught.value.message
    assert caught.value.hint  # always says how to fix it


def test_crlf_yaml_error_position() -> None:
    with pytest.raises(FrontMatterError) as caught:
        split("\ufeff---\r\ntype: drill\r\ntitle: a: b\r\n---\r\n")
    assert (caught.value.line, caught.value.column) == (3, 9)



@pytest.mark.parametrize("text", [
    "---\ntitle: A\n---\nBody\n",
    "\ufeff---\r\ntitle: A\r\n...\r\nBody line\r\n\r\nmore\r\n",
    "---\ntitle: A\n---\n# Heading\n\n---\n\nafter a rule\n",
    "---\n---\n",
])
def test_body_of_finds_the_body_split_finds(text: str) -> None:
    assert body_of(text) == split(text).body


def test_body_of_does_not_parse_the_yaml() -> None:
    assert body_of("---\ntitle: [unclosed\n---\nThe body\n") == "The body\n"


def test_body_of_refuses_a_file_without_front_matter() -> None:
    with pytest.raises(FrontMatterError):
        body_of("no front matter\n")


def _by_lines(text: str) -> tuple[str, str, int] | None:
    """The plain way to find the front matter, to hold the scanning one to: split every line."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if lines[0].rstrip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "\n".join(lines[1:end]), "\n".join(lines[end + 1:]), end + 2
    return None


def test_the_front_matter_is_found_as_splitting_every_line_finds_it() -> None:
    import random

    from sitegen.content.frontmatter import fenced

    pieces = ["---", "--- ", "...", "... ", "title: A", "", "\r", "body", "\ufeff---", "----", " ---", "---\r"]
    rng = random.Random(7)
    for _ in range(20_000):
        text = rng.choice(["\n", "\r\n"]).join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        try:
            front, body, end = fenced(text)
        except FrontMatterError:
            found = None
        else:
            found = front, body, end + 2
        assert found == _by_lines(text), repr(text)
