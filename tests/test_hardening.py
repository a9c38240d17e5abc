"""A site folder from anywhere leaks nothing, loses nothing and hangs nothing (issue 17)."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

from conftest import write_page
from test_cli import sitegen_cli
from test_serve import Running, request

from sitegen.build.builder import build
from sitegen.check.checker import check
from sitegen.cards.paths import claims as card_claims
from sitegen.check.outputs import claims
from sitegen.config import load_settings
from sitegen.report import NullReporter

SECRET = "root:x:0:0:not for the web\n"


def errors_of(site: Path) -> list[dict]:
    done = sitegen_cli("check", "--no-cards", "--format", "json", cwd=site)
    return json.loads(done.stdout) if done.stdout.strip() else []


def locations(site: Path) -> dict[str, str]:
    return {f"{d['file']}:{d['line']}": d["code"] for d in errors_of(site)}


# --- 1. symbolic links ---------------------------------------------------------------------------


def test_symlinks_out_of_the_site_dangling_or_looping_are_errors_at_the_link_in_check_build_and_preview(
        example_site: Path, tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET)
    content = example_site / "content"
    (content / "passwd.txt").symlink_to(secret)
    (example_site / "static" / "leak.txt").symlink_to(secret)
    (content / "gone.png").symlink_to(content / "nothing-here.png")
    (content / "loop").symlink_to(content)
    (content / "self.txt").symlink_to(content / "self.txt")
    # Inside the site folder, a link is followed: a shared picture, a folder of pages.
    (content / "shared.svg").symlink_to(content / "images" / "dowel-hip-hinge.svg")
    found = locations(example_site)
    assert found == {"content/passwd.txt:1": "FILE002", "static/leak.txt:1": "FILE002",
                     "content/gone.png:1": "FILE002", "content/loop:1": "FILE002",
                     "content/self.txt:1": "FILE002"}, found
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 1 and "content/passwd.txt:1:1: error[FILE002]" in done.stderr
    assert not (example_site / "output").exists()
    for name in ("passwd.txt", "static", "gone.png", "loop", "self.txt"):
        os.unlink(content / name) if name != "static" else os.unlink(example_site / "static" / "leak.txt")
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 0, done.stderr
    assert (example_site / "output" / "shared.svg").read_bytes() == (content / "images/dowel-hip-hinge.svg").read_bytes()

    (content / "passwd.txt").symlink_to(secret)
    running = Running(example_site)
    try:
        assert "content/passwd.txt:1:1" in [e["location"] for e in running.status()["errors"]]
        status, _, body = request(running.port, "/passwd.txt")
        assert status == 404 and SECRET.encode() not in body
    finally:
        running.stop()


# --- 2. output collisions ------------------------------------------------------------------------


def clashes(site: Path, cards: bool = True) -> dict[str, str]:
    settings = load_settings(site)
    more = (lambda site: card_claims(site, settings.card_size)) if cards else None
    checked = check(settings, more_outputs=more)
    return {f"{d.file}:{d.line}": d.message for d in checked.diagnostics if d.code == "UNIQ002"}


def test_every_output_takes_part_in_one_collision_check_naming_both_sources(example_site: Path) -> None:
    content = example_site / "content"
    (content / "index.html").write_text("<p>my own home page</p>")
    (content / "feed.xml").write_text("<feed/>")
    (content / "static").mkdir()
    (content / "static" / "style.css").write_text("body {}")
    write_page(example_site, "cards.md", "---\ntype: page\ntitle: Printables\n---\nAll the cards.\n")
    write_page(example_site, "drills/deck.md", """\
        ---
        type: drill
        title: A drill named like a deck
        slug: learn-the-hip-hinge-deck
        ---
        """)
    write_page(example_site, "drills/sheet.md", "---\ntype: drill\ntitle: Sheet\n---\n")
    settings = example_site / "pyproject.toml"
    settings.write_text(settings.read_text().replace('language = "en"', 'language = "en"\ncard_size = "a4-4up"'))
    found = clashes(example_site)
    assert found == {
        "content/index.html:1": "content/index.html would be written to index.html, which clashes with the home "
                                "page (index.html)",
        "content/feed.xml:1": "content/feed.xml would be written to feed.xml, which clashes with the feed (feed.xml)",
        "content/static/style.css:1": "content/static/style.css would be written to static/style.css, which "
                                      "clashes with the static files' folder (static/)",
        "content/cards.md:2": "content/cards.md would be written to cards/index.html, which clashes with the cards "
                              "sitegen makes (cards/)",
        "content/drills/deck.md:4": "the card of content/drills/deck.md would be written to "
            "cards/learn-the-hip-hinge-deck.pdf, which clashes with the deck of content/guides/learn-the-hip-hinge.md "
            "(cards/learn-the-hip-hinge-deck.pdf)",
        "content/drills/sheet.md:2": "the print sheet of all cards would be written to cards/sheet.pdf, which "
                                     "clashes with the card of content/drills/sheet.md (cards/sheet.pdf)",
    }, found
    # Without cards, the cards' folder and files are free; the rest still clash, and build agrees.
    assert set(clashes(example_site, cards=False)) == {
        "content/index.html:1", "content/feed.xml:1", "content/static/style.css:1"}
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 1 and "content/index.html:1:1: error[UNIQ002]" in done.stderr
    assert not (example_site / "output").exists()


def test_the_themes_static_files_take_part_in_the_collision_check(example_site: Path) -> None:
    # The site keeps no static/ of its own but a folder where the theme puts its stylesheet.
    shutil.rmtree(example_site / "static")
    (example_site / "static" / "style.css").mkdir(parents=True)
    (example_site / "static" / "style.css" / "extra.css").write_text("p { color: teal }")
    assert clashes(example_site, cards=False) == {
        "static/style.css/extra.css:1": "the theme's static/style.css would be written to static/style.css, "
                                        "which clashes with static/style.css/extra.css (static/style.css/extra.css)"}
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 1, done.stderr
    assert "static/style.css/extra.css:1:1: error[UNIQ002]" in done.stderr and "Traceback" not in done.stderr
    assert not (example_site / "output").exists()
    shutil.rmtree(example_site / "static" / "style.css")  # its own stylesheet overrides the theme's: no clash
    (example_site / "static" / "style.css").write_text("body { color: teal }")
    assert clashes(example_site, cards=False) == {}


def test_a_file_where_an_output_needs_a_folder_clashes_too(example_site: Path) -> None:
    (example_site / "content" / "tags").write_text("not a folder")
    (example_site / "content" / "guides" / "learn-the-hip-hinge").mkdir()
    (example_site / "content" / "guides" / "learn-the-hip-hinge" / "index.html").write_text("<p>mine</p>")
    found = clashes(example_site, cards=False)
    assert set(found) == {"content/tags:1", "content/guides/learn-the-hip-hinge/index.html:1"}, found


def test_the_claims_cover_every_file_a_build_writes(example_site: Path, tmp_path: Path) -> None:
    """A new kind of output that is not claimed would escape the check: this finds it."""
    settings = load_settings(example_site)
    build(settings, reporter=NullReporter(), output=tmp_path / "out")
    checked = check(settings)
    static = [p.relative_to(example_site / "static").as_posix() for p in (example_site / "static").rglob("*")
              if p.is_file()]
    claimed = {c.path for c in claims(checked.site, static) + card_claims(checked.site, settings.card_size)}
    written = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert written - {".sitegen-output"} <= claimed
    assert {"cards/", "pins/"} <= claimed and len(written) > 40


# --- 7. raw HTML links ---------------------------------------------------------------------------

RAW_HTML = """\
    ---
    type: page
    title: Raw HTML
    image: drills/dowel-hip-hinge.md
    image_alt: not a picture
    ---

    <img src=file:///etc/passwd alt="a file"> and <a href=javascript:alert(1)>a script</a>
    <form action="drills/no-such-drill.md"><button>go</button></form>
    <meta http-equiv=refresh content="0; url=https://evil example/">
    <img srcset="images/dowel-hip-hinge.svg 1x, images/missing.svg 2x" alt="two sizes">
    <iframe src='about.html'></iframe> <video poster=images/nope.png></video>
    <a title="<a href=not-a-link.md" href="drills/dowel-hip-hinge.md">fine</a>
    """


def test_every_url_in_raw_html_goes_through_the_link_rules(example_site: Path) -> None:
    write_page(example_site, "raw.md", RAW_HTML)
    found = sorted((d["line"], d["column"], d["code"]) for d in errors_of(example_site)
                   if d["file"] == "content/raw.md")
    assert found == [(4, 8, "LINK003"),  # an image that is a page
                     (8, 10, "MEDIA002"), (8, 55, "MEDIA002"),  # file: and javascript: URLs
                     (9, 15, "LINK001"),  # a form's action
                     (10, 42, "MEDIA002"),  # a refresh to a malformed URL
                     (11, 45, "LINK003"),  # the second picture of a srcset
                     (12, 14, "LINK001"), (12, 50, "LINK001")], found  # an iframe, a video's poster


# Each of these took check or build from 2 s to hours (the scanners looked at the rest of the
# line again from every "[" or "<"); benchmarks/bench_hostile.py times the worst the bounds let through.
PATHOLOGICAL_LINES = ["[a](" * 100_000, "[" * 400_000, "<a " * 130_000, '[a](x "' * 60_000, "[a](" + " " * 400_000,
                      "![" * 200_000, "[a](<" * 80_000, "<img src='x' " * 30_000]


def test_the_link_scanner_gets_through_pathological_lines(example_site: Path) -> None:
    for i, line in enumerate(PATHOLOGICAL_LINES):
        write_page(example_site, f"hostile-{i}.md", f"---\ntype: page\ntitle: Hostile {i}\n---\n\n")
        with open(example_site / "content" / f"hostile-{i}.md", "a") as handle:
            handle.write(line + "\n")
    done = sitegen_cli("check", "--no-cards", cwd=example_site)  # fails on a hang (its timeout)
    assert done.returncode in (0, 1), done.stderr


# --- 3. pathological Markdown: bounds with positioned errors ----------------------------------------

HOSTILE_BODIES = {
    "deep-list": "".join("    " * i + "- item\n" for i in range(2000)),  # 1 GB to render, before
    "deep-quotes": "".join(">" * i + " said\n" for i in range(1, 601)),  # a RecursionError
    "one-line-list": "- " * 600 + "x\n",
    "brackets": "[" * 50_000 + "\n",  # over 60 s in Python-Markdown
    "escapes": "\\[" * 50_000 + "\n",  # 34 s

    "many-paragraphs": ("(" * 1000 + "\n\n") * 40,
    "unclosed-tags": "Text.\n\n" + "<a " * 100 + "\n\n" + "Words. " * 50_000,  # 44 s
    "deep-quotes-long": ("> " * 29 + "said\n") * 12_000,  # 11 s
}


def test_deep_nesting_and_paragraphs_full_of_openers_are_refused_at_their_line(example_site: Path) -> None:
    header = "---\ntype: page\ntitle: Hostile\n---\nFine first line.\n\n"
    for name, body in HOSTILE_BODIES.items():
        (example_site / "content" / f"{name}.md").write_text(header + body, encoding="utf-8")
    found = sorted((d["file"], d["line"], d["code"]) for d in errors_of(example_site))
    assert found == [("content/brackets.md", 7, "BODY002"), ("content/deep-list.md", 38, "BODY001"),
                     ("content/deep-quotes-long.md", 1119, "BODY001"), ("content/deep-quotes.md", 37, "BODY001"),
                     ("content/escapes.md", 7, "BODY002"),
                     ("content/many-paragraphs.md", 9, "BODY002"),
                     ("content/one-line-list.md", 7, "BODY001"), ("content/unclosed-tags.md", 9, "BODY003")], found
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 1 and "content/deep-list.md:38:1: error[BODY001]" in done.stderr
    # Escaped, the same characters open nothing: the page builds.
    for name in HOSTILE_BODIES:
        os.unlink(example_site / "content" / f"{name}.md")
    (example_site / "content" / "escaped.md").write_text(header + "\\[" * 2_500 + "\n", encoding="utf-8")
    assert sitegen_cli("build", "--no-cards", cwd=example_site).returncode == 0
    assert "[" * 2_500 in (example_site / "output" / "escaped" / "index.html").read_text(encoding="utf-8")


# --- 4. input that raised tracebacks -------------------------------------------------------------


def test_input_that_raised_tracebacks_gets_a_diagnostic_with_file_and_line(example_site: Path) -> None:
    page = "---\ntype: {type}\ntitle: T\n{key}\n---\n\nText.\n"
    cases = {
        "digits.md": page.format(type="drill", key="level: " + "7" * 5000),
        "reps.md": page.format(type="drill", key="reps: 1-" + "9" * 5000),
        "tags.md": page.format(type="page", key="tags: [" + "1" * 5000 + "]"),
        "slug.md": page.format(type="page", key="slug: " + "a" * 300),
        "tag.md": page.format(type="page", key="tags: [" + "long " * 60 + "]"),
        "q" * 240 + ".md": page.format(type="drill", key="mastery: m"),
    }
    for name, text in cases.items():
        (example_site / "content" / name).write_text(text, encoding="utf-8")
    os.mkdir(example_site / "content" / "odd")
    with open(os.path.join(os.fsencode(example_site / "content" / "odd"), b"caf\xe9.md"), "w") as handle:
        handle.write("---\ntype: page\ntitle: Cafe\n---\n")
    found = sorted((d["file"], d["line"], d["code"]) for d in errors_of(example_site))
    assert found == [("content/digits.md", 4, "FM001"), ("content/odd/caf\\ufffd.md", 1, "FILE001"),
                     ("content/" + "q" * 240 + ".md", 1, "VALUE001"), ("content/reps.md", 4, "VALUE001"),
                     ("content/slug.md", 4, "VALUE001"), ("content/tag.md", 4, "VALUE001"),
                     ("content/tags.md", 4, "FM001")], found
    done = sitegen_cli("build", "--no-cards", cwd=example_site)  # and no traceback: sitegen_cli asserts it
    assert done.returncode == 1


# --- 9. the preview answers only its own host names ------------------------------------------------


def status_for_host(port: int, target: str, host: str) -> tuple[int, bytes]:
    """One raw GET of `target` with the Host header `host` (none when empty)."""
    lines = [f"GET {target} HTTP/1.1", "Connection: close"] + ([f"Host: {host}"] if host else [])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split()[1]), data.partition(b"\r\n\r\n")[2]


def test_the_preview_answers_only_loopback_names_and_its_own_host(example_site: Path) -> None:
    running = Running(example_site)
    try:
        port = running.port
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}", "127.0.0.1"):
            status, body = status_for_host(port, "/", host)
            assert status == 200 and b"Hinge" in body, host
        # A DNS-rebound name, or any other: refused, for pages, the status and the scripts alike.
        for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", ""):
            for target in ("/", "/_sitegen/status", "/livereload.js", "/drills/dowel-hip-hinge/"):
                status, body = status_for_host(port, target, host)
                assert status in (400, 403) and b"Hinge" not in body, (host, target, status)
    finally:
        running.stop()


# --- 5. output its readers can read --------------------------------------------------------------


def test_control_characters_are_refused_and_any_other_text_keeps_the_feed_well_formed(example_site: Path) -> None:
    import xml.etree.ElementTree as ET

    write_page(example_site, "ctrl.md", '---\ntype: page\ntitle: "Bell\\x07 and \\x85"\ndate: 2026-01-02\n---\nx\n')
    (example_site / "content" / "raw.md").write_bytes(b"---\ntype: page\ntitle: T\n---\n\nform\x0cfeed\n")
    assert locations(example_site) == {"content/ctrl.md:3": "VALUE001", "content/raw.md:6": "FILE001"}
    titles = ['<&>"\' ]]> &amp;', "emoji \U0001F3CB\u200d\u2640\ufe0f", "rtl \u200f\u05e9\u05dc\u05d5\u05dd",
              "tab\there", "nbsp\u00a0\u2028line"]
    for i, title in enumerate(titles):
        write_page(example_site, "ctrl.md" if i == 0 else f"t{i}.md",
                   f"---\ntype: page\ntitle: {json.dumps(title, ensure_ascii=False)}\ndate: 2026-01-0{i + 1}\nsummary: {json.dumps(title, ensure_ascii=False)}\n"
                   f"---\n\nBody {title}\n")
    os.unlink(example_site / "content" / "raw.md")
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 0, done.stderr
    feed = ET.parse(example_site / "output" / "feed.xml").getroot()
    shown = {e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")}
    assert set(titles) <= shown
    ET.parse(example_site / "output" / "sitemap.xml")


def test_control_characters_in_the_settings_are_refused_at_their_place_and_other_text_keeps_the_feed_well_formed(
        example_site: Path) -> None:
    import xml.etree.ElementTree as ET

    settings = example_site / "pyproject.toml"
    written = settings.read_text(encoding="utf-8")
    line = written.splitlines().index('title = "Hinge & Hold"') + 1
    assert sitegen_cli("build", "--no-cards", cwd=example_site).returncode == 0
    built = (example_site / "output" / "feed.xml").read_bytes()
    for escape, code in (("\\u0007", "0007"), ("\\u001b", "001B"), ("\\u0085", "0085")):
        settings.write_text(written.replace('title = "Hinge & Hold"', f'title =  "Bell{escape} & Hold"'), encoding="utf-8")
        for command in ("check", "build"):
            done = sitegen_cli(command, "--no-cards", cwd=example_site)
            assert done.returncode == 2
            assert done.stderr.startswith(f"pyproject.toml:{line}:10: error[CONF007]: setting 'title' holds the "
                                          f"control character U+{code}"), done.stderr
    assert (example_site / "output" / "feed.xml").read_bytes() == built
    title = '<&>"\' ]]> \t tab\u2028line \U0001F3CB'  # TOML reads JSON's escapes
    settings.write_text(written.replace('title = "Hinge & Hold"', f"title = {json.dumps(title, ensure_ascii=False)}"),
                        encoding="utf-8")
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 0, done.stderr
    feed = ET.parse(example_site / "output" / "feed.xml").getroot()
    assert feed.find("{http://www.w3.org/2005/Atom}title").text == title


# --- 8. sitegen new ------------------------------------------------------------------------------


def test_sitegen_new_writes_a_page_its_checker_accepts_or_refuses_the_title(example_site: Path) -> None:
    for title in ('--- a: "b" #c', "Back\\slash 'and' \"quotes\": yes", "  [not a list], {nor: map} &x *y !z |"):
        done = sitegen_cli("new", "page", title, cwd=example_site)
        assert done.returncode == 0, done.stderr
    checked = check(load_settings(example_site), drafts=True)
    new = {p.title for p in checked.content.pages if p.draft}
    assert new == {'--- a: "b" #c', "Back\\slash 'and' \"quotes\": yes", "[not a list], {nor: map} &x *y !z |"}
    assert not [d for d in checked.diagnostics if d.severity == "error"]
    for title in ("Two\nlines", "A\n---\ntype: guide", "bell\x07", "   "):
        done = sitegen_cli("new", "page", title, cwd=example_site)
        assert done.returncode == 2 and "one line of text" in done.stderr, title


# --- 6. leftovers --------------------------------------------------------------------------------


def test_an_output_folder_inside_the_cache_or_an_earlier_build_is_refused(example_site: Path) -> None:
    assert sitegen_cli("build", "--no-cards", cwd=example_site).returncode == 0
    for inside in (".sitegen-cache/site", "output/inner", "output/drills/x"):
        done = sitegen_cli("build", "--no-cards", "--output", inside, cwd=example_site)
        assert done.returncode == 2 and "set output_dir to a folder of its own" in done.stderr, (inside, done.stderr)


# --- 10. messages a coach understands --------------------------------------------------------------


def test_messages_say_what_to_do_for_a_colon_in_a_cue_a_far_name_and_an_unquoted_setting(example_site: Path) -> None:
    write_page(example_site, "drills/colon.md", """\
        ---
        type: drill
        title: Colon
        rest: 60s
        titel: x
        cues:
          - Cue 1: keep the back flat
        ---
        """)
    found = {d["message"] + "; " + d["hint"] for d in errors_of(example_site) if d["file"] == "content/drills/colon.md"}
    assert "unknown key 'rest'; remove it, or see the README for the keys" in found  # not "did you mean 'reps'?"
    assert "unknown key 'titel'; did you mean 'title'?" in found
    assert any('put the text in quotes: "Cue 1: keep the back flat"' in f for f in found), found
    settings = example_site / "pyproject.toml"
    settings.write_text(settings.read_text().replace('language = "en"', "language = en"))
    done = sitegen_cli("check", cwd=example_site)
    assert done.returncode == 2 and 'put text in double quotes, e.g. title = "My site"' in done.stderr, done.stderr
