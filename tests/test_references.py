"""The check of the built output: every local reference resolves to a file of the new output,
or nothing is swapped in and the error names its source."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import sitegen_cli
from test_builtin_theme import content_only_site, outputs

from sitegen.build.references import broken, target

BASE = "https://example.org/coach/"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = content_only_site(tmp_path / "site")
    done = sitegen_cli("build", cwd=site)
    assert done.returncode == 0, done.stderr
    return site


def failed_build(site: Path, *args: str) -> list[str]:
    before = outputs(site / "output")
    done = sitegen_cli("build", *args, cwd=site)
    assert done.returncode == 1, done.stderr
    assert outputs(site / "output") == before  # the last good build stays
    return [line for line in done.stderr.splitlines() if not line.startswith("cards: ")]


def override(site: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """Copy a theme template into the site with `old` replaced; return it and the line of `new`."""
    assert sitegen_cli("theme", "copy", name, cwd=site).returncode == 0
    path = site / "templates" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path, next(n for n, t in enumerate(path.read_text().splitlines(), 1) if new.splitlines()[-1] in t)


def test_a_stylesheet_that_goes_away_stops_the_build(site: Path) -> None:
    (site / "static").mkdir()
    (site / "static/extra.css").write_text("h1 { color: teal }\n")
    css = "{{ site.url('static/style.css') }}\">"
    _, line = override(site, "base.html", css, f"{css}\n<link rel=\"stylesheet\" href=\"{{{{ site.url('static/extra.css') }}}}\">")
    assert sitegen_cli("build", cwd=site).returncode == 0

    (site / "static/extra.css").unlink()  # no page changes: the file the pages name is gone
    errors = failed_build(site)
    assert errors[-1] == "1 error, 0 warnings in 10 pages"
    assert errors[0].startswith(f"templates/base.html:{line}:1: error[OUT001]: ")
    assert "refer to /coach/static/extra.css, but the new output has no static/extra.css" in errors[0]


# Pages are read as they are rendered: in this process (one job), or in the render workers
# (two jobs; the example site has enough outputs to start them where forking is safe).
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_missing_image_in_a_template_names_the_template_line(site: Path, jobs: str) -> None:
    _, line = override(site, "exercise.html", "Exercise{% endblock %}",
                       "Exercise <img src=\"{{ site.url('images/badge.png') }}\" alt=\"\">{% endblock %}")
    errors = failed_build(site, "--no-cards", "--jobs", jobs)
    assert len(errors) == 2, errors
    assert errors[0].startswith(f"templates/exercise.html:{line}:1: error[OUT001]: exercises/")
    assert "and 4 other files refer to /coach/images/badge.png, but the new output has no images/badge.png" in errors[0]


def test_a_broken_card_link_names_the_template(site: Path) -> None:
    _, line = override(site, "drill.html", "Drill{% endblock %}",
                       "Drill <a href=\"{{ site.url('cards/nothing.pdf') }}\">card</a>{% endblock %}")
    errors = failed_build(site)
    assert f"templates/drill.html:{line}:1: error[OUT001]: drills/" in errors[0]
    assert "but the new output has no cards/nothing.pdf" in errors[0]


def test_without_cards_the_card_links_are_not_the_builds_to_check(site: Path) -> None:
    done = sitegen_cli("build", "--no-cards", cwd=site)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("ref, rel, expected", [
    ("../static/style.css", "drills/x/index.html", "drills/static/style.css"),
    ("/coach/static/style.css", "index.html", "static/style.css"),
    ("https://example.org/coach/pins/x.png", "index.html", "pins/x.png"),
    ("https://example.org/coach/", "feed.xml", "index.html"),
    ("/coach/drills/x/#cues", "index.html", "drills/x/index.html"),
    ("/coach/a%20b.png?v=2", "index.html", "a b.png"),
    ("/elsewhere.css", "index.html", "../elsewhere.css"),
    ("../../../up.css", "drills/x/index.html", "../up.css"),
    ("https://other.org/coach/x", "index.html", None),
    ("mailto:me@example.org", "index.html", None),
    ("data:image/png;base64,AAAA", "index.html", None),
    ("#main", "index.html", None),
    ("//cdn.example.org/x.js", "index.html", None),
])
def test_where_a_reference_points(ref: str, rel: str, expected: str | None) -> None:
    assert target(ref, rel, BASE, "/coach/") == expected


def test_what_is_read_in_html_css_and_xml() -> None:
    files = {
        "index.html": b'<a href="/coach/ok/">x</a><img src="a.png" srcset="b.png 1x, c.png 2x">'
                      b'<meta property="og:image" content="https://example.org/coach/pins/p.png">'
                      b'<meta name="description" content="not a url.png"><a data-href="ignored.png">',
        "static/s.css": b'body { background: url("bg.png") } @import "more.css"; .x { background: url(ok.png) }',
        "sitemap.xml": b"<url><loc>https://example.org/coach/gone/</loc></url>",
        "feed.xml": b'<link href="https://example.org/coach/ok/"/><content type="html">&lt;a href=&quot;x&quot;</content>',
    }
    present = {"ok/index.html", "a.png", "static/ok.png"}
    assert sorted(broken(files, present, BASE)) == [
        ("index.html", "b.png", "b.png"), ("index.html", "c.png", "c.png"),
        ("index.html", "https://example.org/coach/pins/p.png", "pins/p.png"),
        ("sitemap.xml", "https://example.org/coach/gone/", "gone/index.html"),
        ("static/s.css", "bg.png", "static/bg.png"), ("static/s.css", "more.css", "static/more.css"),
    ]
    assert broken(files, present | {"pins/p.png"}, BASE, skip=("static/", "gone/", "b.png", "c.png")) == []


def test_attribute_names_in_any_case_and_unquoted_values_are_read() -> None:
    page = (b"<IMG SRC=gone.png alt=x><a Href='ok/'>x</a><link href=missing.css>"
            b"<img src=last.png /><p>escaped: &lt;img src=text.png&gt; &lt;a href=&quot;text2&quot;&gt;</p>")
    assert sorted(broken({"index.html": page}, {"ok/index.html"}, BASE)) == [
        ("index.html", "gone.png", "gone.png"), ("index.html", "last.png", "last.png"),
        ("index.html", "missing.css", "missing.css")]
