"""PDF drill cards, decks, print sheets and pin images, made by the real pipeline from the example site."""

from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_example_site, write_page
from pypdf import PdfReader

from sitegen.build.builder import build
from sitegen.build.cards_only import cards_command
from sitegen.cache import CACHE_DIR
from sitegen.capabilities import fork_is_safe
from sitegen.cards.pipeline import card_fit_diagnostics
from sitegen.cards.fonts import check_fonts
from sitegen.cards.jobs import font_uses
from sitegen.cards.sizes import SIZES
from sitegen.check.checker import check
from sitegen.cli import main
from sitegen.config import CARD_SIZES, load_settings
from sitegen.errors import ContentError
from sitegen.report import NullReporter

GUIDE = "learn-the-hip-hinge"
GUIDE_TITLE = "Learn the Hip Hinge in Three Drills"
DRILLS = ["dowel-hip-hinge", "bodyweight-rdl", "weighted-rdl"]
EXERCISES = ["band-deadlift", "bent-over-row", "cable-pull-through", "kettlebell-swing", "standing-band-hip-thrust"]
CARDED = [GUIDE] + DRILLS + EXERCISES


def build_with_cards(site: Path) -> NullReporter:
    reporter = NullReporter()
    build(load_settings(site), reporter=reporter)
    return reporter


def card_report(reporter: NullReporter) -> dict[str, list[str]]:
    """What the card step said it rendered and assembled (the names it lists)."""
    line = next(m for m in reporter.messages if m.startswith("cards:"))
    found = {}
    for what in ("rendered", "assembled"):
        m = re.search(rf"{what} (\d+)(?: \(([^)]*)\))?", line)
        assert m, line
        names = m.group(2).split(", ") if m.group(2) else []
        assert len(names) in (0, int(m.group(1)))
        found[what] = names if names else [""] * int(m.group(1))
    return found


def text_of(pdf: Path, page: int = 0) -> str:
    return " ".join(PdfReader(pdf).pages[page].extract_text().split())


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The example site, built once with cards (a cold cache): shared by the read-only tests."""
    site = copy_example_site(tmp_path_factory.mktemp("cards") / "site")
    build_with_cards(site)
    return site


@pytest.fixture
def warm_site(example_site: Path, built: Path) -> Path:
    """A private copy of the example site whose card cache already holds every card and pin."""
    shutil.copytree(built / CACHE_DIR, example_site / CACHE_DIR)
    return example_site


# --- what a build makes --------------------------------------------------------------------------


def test_each_card_is_one_page_of_the_configured_size_with_its_title_and_gate(built: Path):
    settings = load_settings(built)
    site = check(settings).site
    by_slug = {p.slug: p for p in site.pages}
    for slug in CARDED:
        pdf = built / "output" / "cards" / f"{slug}.pdf"
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1, slug
        box = reader.pages[0].mediabox
        assert (float(box.width), float(box.height)) == (288.0, 432.0), slug
        text = text_of(pdf)
        page = by_slug[slug]
        assert " ".join(page.title.split()) in text, slug
        if getattr(page, "mastery", ""):
            assert "MOVE ON WHEN" in text and page.mastery in text, slug
        assert f"example.org/{page.url_path.rstrip('/')}" in text  # the short URL under the QR code
    steps = text_of(built / "output/cards/bodyweight-rdl.pdf")
    assert "STEP 2 OF 3" in steps and GUIDE_TITLE in steps and "2 × 10" in steps


def test_body_text_is_at_least_9_pt_and_the_font_is_embedded(built: Path):
    for slug in CARDED:
        page = PdfReader(built / "output" / "cards" / f"{slug}.pdf").pages[0]
        sizes: list[float] = []

        def visit(text, cm, tm, font, size, sizes=sizes):
            if text.strip():
                sizes.append(size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]))

        page.extract_text(visitor_text=visit)
        assert sizes and min(sizes) >= 9 - 1e-6, (slug, min(sizes))
        fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
        assert fonts and all("+Noto-Sans" in f for f in fonts), fonts


def test_the_deck_is_the_cover_then_each_drill_in_progression_order(built: Path):
    deck = built / "output" / "cards" / f"{GUIDE}-deck.pdf"
    reader = PdfReader(deck)
    assert len(reader.pages) == 1 + len(DRILLS)
    assert GUIDE_TITLE in text_of(deck, 0) and "3 drills, in order" in text_of(deck, 0)
    for number, slug in enumerate(DRILLS, 1):
        own = text_of(built / "output" / "cards" / f"{slug}.pdf")
        assert text_of(deck, number) == own
        assert f"STEP {number} OF 3" in own


def test_the_deck_cover_shows_the_progression_diagram(built: Path, tmp_path: Path):
    """The guide page's drawing, three nodes to a row: each drill with its step and level, then what it unlocks."""
    from PIL import Image

    deck = built / "output" / "cards" / f"{GUIDE}-deck.pdf"
    assert len(PdfReader(deck).pages) == 1 + len(DRILLS)  # the diagram takes the list's place, on the one cover
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(deck), "-"], capture_output=True, text=True,
                          check=True).stdout
    # pdftotext reads each node's box as one block of lines.
    blocks = [" ".join(block.split()) for block in text.split("\n\n")]
    site = check(load_settings(built)).site
    by_slug = {p.slug: p for p in site.pages}
    drills = [b for b in blocks if b.endswith(tuple(f"Level {by_slug[d].level}" for d in DRILLS)) and "Step" in b]
    assert drills == [f"{by_slug[d].title} Step {n} Level {by_slug[d].level}" for n, d in enumerate(DRILLS, 1)]
    unlocks = blocks[blocks.index("THEN IT UNLOCKS") + 1:]
    for slug in EXERCISES:
        assert any(b.startswith(by_slug[slug].title) for b in unlocks), (slug, unlocks)
    # The exercises are in the drawing, not also in a line of text beside the QR code.
    assert "Then:" not in text
    # Drawn inside the card's margins, boxes and all.
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(deck),
                    str(tmp_path / "cover")], check=True)
    dark = Image.open(tmp_path / "cover.png").convert("L").point(lambda v: 255 if v < 128 else 0)
    left, top, right, bottom = dark.getbbox()
    margin = 100 * 9 / 72
    assert left >= margin and top >= margin and right <= 400 - margin and bottom <= 600 - margin


def test_each_pin_is_a_1000_by_1500_png(built: Path):
    for slug in CARDED:
        assert png_size(built / "output" / "pins" / f"{slug}.png") == (1000, 1500)


def test_pages_link_their_card_and_pin(built: Path):
    out = built / "output"
    drill = (out / "drills/bodyweight-rdl/index.html").read_text()
    assert '<a href="/cards/bodyweight-rdl.pdf" download>Download the card (PDF)</a>' in drill
    assert '<meta property="og:image" content="https://example.org/pins/bodyweight-rdl.png">' in drill
    pin_it = re.search(r'<a href="(https://www\.pinterest\.com/pin/create/button/\?[^"]+)"[^>]*>Save to Pinterest</a>', drill)
    assert pin_it, "no Save to Pinterest link"
    query = pin_it.group(1).replace("&amp;", "&")
    assert "url=https%3A%2F%2Fexample.org%2Fdrills%2Fbodyweight-rdl%2F" in query
    assert "media=https%3A%2F%2Fexample.org%2Fpins%2Fbodyweight-rdl.png" in query
    assert "description=Bodyweight+Romanian+Deadlift" in query
    guide = (out / "guides/learn-the-hip-hinge/index.html").read_text()
    assert f'href="/cards/{GUIDE}-deck.pdf" download>Download the deck (PDF)' in guide
    assert f'href="/cards/{GUIDE}-log.pdf" download>Print the training log (PDF)' in guide
    assert not (out / "cards/about.pdf").exists()
    assert "Download the" not in (out / "about/index.html").read_text()


def test_without_cards_pages_do_not_link_them(example_site: Path):
    build(load_settings(example_site), cards=False, reporter=NullReporter())
    drill = (example_site / "output/drills/bodyweight-rdl/index.html").read_text()
    assert "Download the card" not in drill and "/pins/" not in drill
    # Sharing still works: the page's own image stands in for the pin.
    assert '<meta property="og:image" content="https://example.org/images/bodyweight-rdl.svg">' in drill
    assert "media=https%3A%2F%2Fexample.org%2Fimages%2Fbodyweight-rdl.svg" in drill
    assert not (example_site / "output/cards").exists()


def test_a_card_looks_right_when_rasterized(built: Path, tmp_path: Path):
    """pdftoppm draws the card as a printer would: ink on the page, none outside the margins."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(built / "output/cards/weighted-rdl.pdf"),
                    str(tmp_path / "card")], check=True)
    image = Image.open(tmp_path / "card.png").convert("L")
    assert image.size == (400, 600)
    dark = image.point(lambda v: 255 if v < 128 else 0)
    left, top, right, bottom = dark.getbbox()
    margin = 100 * 9 / 72  # 9 pt of blank paper at least, all round
    assert left >= margin and top >= margin and right <= 400 - margin and bottom <= 600 - margin
    assert sum(dark.histogram()[255:]) > 400 * 600 * 0.04  # there is real ink: text, rules, the QR code


def test_each_guide_has_a_one_page_training_log_with_every_drills_sets_cues_and_gate(built: Path, tmp_path: Path):
    from PIL import Image

    site = check(load_settings(built)).site
    guide = site.guides[0]
    log = built / f"output/cards/{GUIDE}-log.pdf"
    reader = PdfReader(log)
    assert len(reader.pages) == 1 and [float(v) for v in reader.pages[0].mediabox[2:]] == [288.0, 432.0]
    text = text_of(log)
    assert text.startswith(f"TRAINING LOG {GUIDE_TITLE}")
    drills = site.graph.resolve_all(guide.drills)
    assert [d.slug for d in drills] == DRILLS
    for number, drill in enumerate(drills, 1):
        assert f"{number} {drill.title} {drill.sets} × {drill.reps}" in text
        assert f"Gate: {' '.join(drill.mastery.split())}" in text
        assert f"Cues: {drill.cues[0]} · {drill.cues[1]}" in text
    # One row of boxes per set (the top of a range): 2 + 2 + 3 rows for the example's drills.
    assert re.findall(r"Set (\d)", text) == ["1", "2", "1", "2", "1", "2", "3"]
    # Drawn as a printer would: ink inside the margins, and the boxes' grid lines are there.
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(log), str(tmp_path / "log")], check=True)
    image = Image.open(tmp_path / "log.png").convert("L")
    assert image.size == (400, 600)
    dark = image.point(lambda v: 255 if v < 128 else 0)
    left, top, right, bottom = dark.getbbox()
    margin = 100 * 9 / 72
    assert left >= margin and top >= margin and right <= 400 - margin and bottom <= 600 - margin
    row = [image.getpixel((x, 600 * 0.30)) for x in range(400)]
    assert sum(1 for a, b in zip(row, row[1:]) if a >= 128 > b) >= 7  # the session columns' rules


# --- the cache -----------------------------------------------------------------------------------


def test_a_second_build_renders_nothing_and_a_changed_drill_only_its_card_and_deck(warm_site: Path):
    first = card_report(build_with_cards(warm_site))
    assert first == {"rendered": [], "assembled": []}  # the shared cache held everything, deck included
    drill = warm_site / "content/drills/bodyweight-rdl.md"
    drill.write_text(drill.read_text().replace("Pull through your heels to stand", "Drive through the heels to stand"))
    changed = card_report(build_with_cards(warm_site))
    assert changed == {"rendered": ["cards/bodyweight-rdl.pdf"], "assembled": [f"cards/{GUIDE}-deck.pdf"]}
    card = warm_site / "output/cards/bodyweight-rdl.pdf"
    assert "Drive through the heels to stand" in text_of(card)
    assert text_of(warm_site / f"output/cards/{GUIDE}-deck.pdf", 2) == text_of(card)
    drill.touch()  # same content: everything comes from the cache
    assert card_report(build_with_cards(warm_site)) == {"rendered": [], "assembled": []}


def test_card_entries_sitegen_did_not_write_are_rendered_again(warm_site: Path):
    """A card cache planted in a shared site folder, or cut short: each card and pin entry that
    is not what sitegen stores is rendered again, and the build succeeds."""
    import pickle

    from sitegen.cache import Cache

    cache = Cache(warm_site, "cards")
    keys = [key for key, _data in cache.items()]
    junk = [b"", b"not json\n%PDF-planted", b'{"overflow": "x"}\n%PDF-planted', pickle.dumps(print)]
    cache.put_many([(key, junk[i % len(junk)]) for i, key in enumerate(keys)])
    rendered = card_report(build_with_cards(warm_site))["rendered"]
    out = warm_site / "output"
    cards = [p for p in (out / "cards").glob("*.pdf") if not p.name.endswith("-deck.pdf")]
    pins = list((out / "pins").glob("*.png"))
    assert cards and pins and len(rendered) == len(cards) + len(pins)  # every one of them
    for card in cards:
        assert text_of(card)  # a real PDF again
    for pin in pins:
        assert png_size(pin) == (1000, 1500)


# --- sizes and sheets ----------------------------------------------------------------------------


def test_sizes_are_the_ones_the_settings_accept():
    assert tuple(SIZES) == CARD_SIZES


def test_the_cards_command_makes_4_up_sheets_and_replaces_only_cards_and_pins(warm_site: Path):
    build_with_cards(warm_site)
    out = warm_site / "output"
    before = {p: (out / p).stat().st_ino for p in ("index.html", "drills/bodyweight-rdl/index.html")}
    assert cards_command(load_settings(warm_site), size="letter-4up", reporter=NullReporter()) == 0
    sheet = PdfReader(out / "cards/sheet.pdf")
    assert len(sheet.pages) == math.ceil(len(CARDED) / 4)
    assert [float(v) for v in sheet.pages[0].mediabox[2:]] == [612.0, 792.0]
    card = PdfReader(out / "cards/dowel-hip-hinge.pdf").pages[0]
    assert [float(v) for v in card.mediabox[2:]] == [288.0, 378.0]
    # A training log does not fit a 4-up card: it takes a whole sheet, still one page.
    log = PdfReader(out / f"cards/{GUIDE}-log.pdf")
    assert len(log.pages) == 1 and [float(v) for v in log.pages[0].mediabox[2:]] == [612.0, 792.0]
    assert "Dowel Hip Hinge" in sheet.pages[0].extract_text()
    marks = sheet.pages[0].get_contents().get_data()
    assert marks.count(b" l S") == 12  # a crop mark at both ends of each of the six cut lines
    # The rest of the output is the same files, carried over as hard links.
    assert {p: (out / p).stat().st_ino for p in before} == before
    assert not [p.name for p in warm_site.iterdir() if p.name.startswith(".output.new")]


def test_cards_command_refuses_an_unknown_size(example_site: Path, capsys):
    assert main(["-C", str(example_site), "cards", "--size", "postcard"]) == 2
    assert "card size 'postcard' is not known; use one of 4x6, a6, letter-4up, a4-4up" in capsys.readouterr().err
    assert not (example_site / "output").exists()


# --- fit -----------------------------------------------------------------------------------------

LONG_DRILL = """\
---
type: drill
title: Long Drill
level: 1
cues:
  - Keep the back long
faults:
{faults}
mastery: 8 clean reps
---
A drill with too much to say.
"""


def long_drill(site: Path, faults: int) -> Path:
    items = "".join(f"  - fault: Fault number {i} is described here at quite some length so it wraps onto lines.\n"
                    f"    fix: The fix for fault {i} is also long enough to need two lines or more on a card.\n"
                    for i in range(faults))
    return write_page(site, "drills/long-drill.md", LONG_DRILL.format(faults=items))


def test_an_overflowing_card_is_an_error_naming_the_drill_and_by_how_much(warm_site: Path):
    long_drill(warm_site, 12)
    site = check(load_settings(warm_site)).site
    found = [d for d in card_fit_diagnostics(site) if d.code == "CARD001"]
    assert len(found) == 1, found
    d = found[0]
    assert (d.file, d.line, d.column, d.severity) == ("content/drills/long-drill.md", 8, 3, "error")
    m = re.fullmatch(r"cards/long-drill\.pdf: 'Long Drill' does not fit on one 4×6 in card: "
                     r"it overflows by ([\d.]+) pt \(([\d.]+) mm\)", d.message)
    assert m, d.message
    assert float(m.group(1)) > 100  # twelve long faults: several inches too many
    assert "shorten the text, starting with 'faults'" in d.hint


def test_the_overflow_is_measured_not_guessed(warm_site: Path):
    """One fault more or less moves the overflow by about one fault's height."""
    long_drill(warm_site, 10)
    site = check(load_settings(warm_site)).site
    ten = next(d for d in card_fit_diagnostics(site) if d.code == "CARD001")
    long_drill(warm_site, 11)
    site = check(load_settings(warm_site)).site
    eleven = next(d for d in card_fit_diagnostics(site) if d.code == "CARD001")
    amount = [float(re.search(r"by ([\d.]+) pt", d.message).group(1)) for d in (ten, eleven)]
    assert 20 < amount[1] - amount[0] < 60, amount  # a fault here is 3 lines of 9 pt text and a gap


def test_a_build_with_an_overflowing_card_fails_and_keeps_the_previous_output(warm_site: Path):
    build_with_cards(warm_site)
    before = snapshot(warm_site / "output")
    long_drill(warm_site, 12)
    with pytest.raises(ContentError) as failure:
        build_with_cards(warm_site)
    assert [d.code for d in failure.value.diagnostics] == ["CARD001"]
    assert snapshot(warm_site / "output") == before


def test_the_example_fits_every_size(built: Path):
    site = check(load_settings(built)).site
    for size in ("a6", "a4-4up"):  # 4x6 is built above and letter-4up by the cards command test
        assert card_fit_diagnostics(site, size) == [], size


def test_a_template_error_in_the_card_template_names_its_line(warm_site: Path):
    template = warm_site / "templates/card.html"
    lines = template.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if "<h1>" in line)
    lines[at] = lines[at].replace("{{ title }}", "{{ title.nope.deeper }}")
    template.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContentError) as failure:
        build_with_cards(warm_site)
    found = {(d.file, d.line, d.code) for d in failure.value.diagnostics}
    assert found == {("templates/card.html", at + 1, "TPL001")}


def test_a_card_template_without_a_card_box_is_an_error(warm_site: Path):
    template = warm_site / "templates/card.html"
    template.write_text(template.read_text().replace('id="card"', 'id="whole"'))
    site = check(load_settings(warm_site)).site
    codes = {(d.file, d.code) for d in card_fit_diagnostics(site)}
    assert codes == {("templates/card.html", "CARD005")}


# --- fonts ---------------------------------------------------------------------------------------


def test_a_font_that_is_not_installed_is_an_error_at_its_declaration(example_site: Path):
    css = example_site / "templates/card.css"
    css.write_text(css.read_text().replace('font-family: "Noto Sans", sans-serif;',
                                           'font-family: "No Such Family Sans", sans-serif;'))
    settings = load_settings(example_site)
    _digest, problems = check_fonts(font_uses(settings))
    assert len(problems) == 1
    p = problems[0]
    line = next(i for i, text in enumerate(css.read_text().splitlines(), 1) if "No Such Family Sans" in text)
    assert (p.file, p.line, p.code) == ("templates/card.css", line, "CARD003")
    assert "'No Such Family Sans' is not installed" in p.message
    with pytest.raises(ContentError):
        build_with_cards(example_site)


def test_the_installed_font_is_found():
    settings = load_settings(Path(__file__).resolve().parent.parent)
    digest, problems = check_fonts(font_uses(settings))
    assert problems == [] and digest


# --- security ------------------------------------------------------------------------------------


def embedded(pdf: bytes) -> list[bytes]:
    """Every file a PDF carries: in its attachments list and in file-attachment annotations."""
    import io

    reader = PdfReader(io.BytesIO(pdf))
    files = [data for values in reader.attachments.values() for data in values]
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                files.append(annotation["/FS"]["/EF"]["/F"].get_object().get_data())
    return files


def test_the_fetcher_serves_the_site_and_data_urls_and_refuses_the_rest(example_site: Path, tmp_path: Path):
    from sitegen.cards.fetcher import RefusedURL, SiteFetcher

    secret = tmp_path / "secret.txt"
    secret.write_text("outside the site")
    (example_site / "content/images/link.svg").symlink_to(secret)
    fetcher = SiteFetcher(example_site)
    image = example_site / "content/images/dowel-hip-hinge.svg"
    got = fetcher.fetch(image.as_uri())
    assert got.read() == image.read_bytes() and got.content_type == "image/svg+xml"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    refused = [secret.as_uri(), "file:///etc/hostname", (example_site / "content/images/link.svg").as_uri(),
               "http://example.org/picture.png", "https://example.org/font.woff2", "ftp://example.org/x"]
    for url in refused:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.refused == refused


def test_an_attachment_outside_the_site_is_never_embedded(warm_site: Path, tmp_path: Path):
    """WeasyPrint's own fetcher embeds a `rel=attachment` file from anywhere; a card refuses it by name."""
    import weasyprint

    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"the coach's private notes")
    head = '<link rel="attachment" href="file:///etc/hostname">'
    link = f'<a rel="attachment" href="{secret.as_uri()}">{{{{ short_url }}}}</a>'
    # The threat is real: the default fetcher embeds both files.
    html = f"<html><head>{head}</head><body>{link}</body></html>"
    carried = embedded(weasyprint.HTML(string=html).write_pdf())
    assert b"the coach's private notes" in carried and Path("/etc/hostname").read_bytes() in carried
    # A card template carrying the same links makes the build fail, naming each card; nothing is embedded.
    template = warm_site / "templates/card.html"
    source = template.read_text().replace('<article id="card"', f'{head}<article id="card"')
    template.write_text(source.replace("{{ short_url }}", link))
    with pytest.raises(ContentError) as failure:
        build_with_cards(warm_site)
    refused = [d for d in failure.value.diagnostics if d.code == "CARD002"]
    assert len(refused) == 2 * len(CARDED)  # two refused links on every card
    d = next(d for d in refused if d.file == "content/drills/dowel-hip-hinge.md" and secret.as_uri() in d.message)
    assert d.message == (f"cards/dowel-hip-hinge.pdf ('Dowel Hip Hinge') tried to load {secret.as_uri()}, "
                         "which is outside the site folder")
    assert not (warm_site / "output").exists()


def test_a_stylesheet_asking_the_network_fails_every_card_by_name(warm_site: Path):
    css = warm_site / "templates/card.css"
    css.write_text('@import url("http://example.org/fonts.css");\n' + css.read_text())
    site = check(load_settings(warm_site)).site
    found = [d for d in card_fit_diagnostics(site) if d.code == "CARD002"]
    assert sorted(d.message.split(" ")[0] for d in found) == sorted(f"cards/{slug}.pdf" for slug in CARDED)
    assert all("tried to load http://example.org/fonts.css, which is outside the site folder" in d.message
               for d in found)


def test_an_attachment_link_in_a_drills_markdown_embeds_nothing(warm_site: Path):
    """The checker stops a file:// link in a page before any card is made; the cards stay clean."""
    build_with_cards(warm_site)
    before = snapshot(warm_site / "output")
    drill = warm_site / "content/drills/dowel-hip-hinge.md"
    drill.write_text(drill.read_text() + '\n<a rel="attachment" href="file:///etc/hostname">host</a>\n')
    with pytest.raises(ContentError) as failure:
        build_with_cards(warm_site)
    assert any(d.file == "content/drills/dowel-hip-hinge.md" and "file:///etc/hostname" in d.message
               for d in failure.value.diagnostics)
    assert snapshot(warm_site / "output") == before
    for pdf in (warm_site / "output").rglob("*.pdf"):
        assert embedded(pdf.read_bytes()) == [], pdf


# --- start-up ------------------------------------------------------------------------------------


def test_commands_that_make_no_cards_do_not_import_the_pdf_libraries():
    code = ("import sys, sitegen.cli, sitegen.build, sitegen.cards; "
            "print(sorted(m for m in ('weasyprint', 'pypdf', 'pypdfium2', 'segno', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.skipif(not fork_is_safe(), reason="spawned workers inherit nothing: their collector starts on")
def test_card_workers_collect_garbage_even_in_a_build_that_turned_the_collector_off(monkeypatch) -> None:
    """`sitegen build` turns Python's cycle collector off for the pages; WeasyPrint's layout is
    cyclic garbage, so without it every card a worker renders stays in memory."""
    import gc

    from sitegen.cards import pdf

    class Probe:
        def __init__(self, settings, size) -> None:
            pass

        def run(self, job) -> pdf.Result:  # in a forked worker: is its collector on?
            return pdf.Result(0, b"on" if gc.isenabled() else b"off")

    monkeypatch.setattr(pdf, "_Worker", Probe)
    was_on = gc.isenabled()
    gc.disable()
    try:
        results = pdf.pdfs_and_pngs(["job"] * 6, None, None)  # type: ignore[arg-type]
        assert [r.data for r in results] == [b"on"] * 6
        assert not gc.isenabled()  # and off again for the rest of the build
        assert gc.get_freeze_count() == 0  # nothing left frozen for a process that lives on
    finally:
        if was_on:
            gc.enable()


@pytest.mark.parametrize("footer, overflow", [("", 50.0), ('<div id="footer"></div>', 70.0), ("", 0.0)])
def test_the_fit_check_reads_weasyprints_boxes_as_tested(footer: str, overflow: float):
    """The fit check walks WeasyPrint's page boxes, a private API: a release that changes them
    must fail here (and pyproject.toml allows only the releases that pass). A 100 pt card holding
    150 pt of content overflows by 50 pt; with a 20 pt footer pinned to its bottom, by 70 pt."""
    import importlib.metadata
    import tomllib

    import weasyprint

    from sitegen.cards.pdf import overflow_of

    content = 150 if overflow else 90
    page = f"""<style>@page {{ size: 200pt 200pt; margin: 0 }} body {{ margin: 0 }}
    #card {{ height: 100pt; position: relative }} .block {{ height: {content}pt }}
    #footer {{ position: absolute; bottom: 0; height: 20pt; width: 10pt }}</style>
    <article id="card"><div class="block"></div>{footer}</article>"""
    assert overflow_of(weasyprint.HTML(string=page).render()) == overflow
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = next(d for d in pyproject["project"]["dependencies"] if d.startswith("weasyprint"))
    low, high = (int(n) for n in re.fullmatch(r"weasyprint>=(\d+),<(\d+)", wanted).groups())
    assert low <= int(importlib.metadata.version("weasyprint").split(".")[0]) < high
