"""The built-in theme: a site with only settings and content/ builds whole; the site's own
templates/ and static/ override the theme file by file; `sitegen theme` lists and copies."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_cli import sitegen_cli

from sitegen import theme
from sitegen.build.builder import Builder
from sitegen.config import load_settings

REPO = Path(__file__).resolve().parent.parent


def content_only_site(dest: Path) -> Path:
    """The example site's settings and content, without its templates/ and static/."""
    dest.mkdir()
    shutil.copytree(REPO / "content", dest / "content")
    (dest / "sitegen.toml").write_text('title = "Only content"\nbase_url = "https://example.org/coach/"\n')
    return dest


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def test_the_theme_is_the_repository_templates_and_static_folders() -> None:
    assert theme.names("templates") == sorted(p.name for p in (REPO / "templates").iterdir())
    assert theme.names("static") == sorted(p.name for p in (REPO / "static").iterdir())
    assert (theme.folder("templates") / "drill.html").read_bytes() == (REPO / "templates/drill.html").read_bytes()


def test_a_site_of_settings_and_content_builds_pages_cards_pins_and_decks(tmp_path: Path) -> None:
    site = content_only_site(tmp_path / "site")
    done = sitegen_cli("build", cwd=site)
    assert done.returncode == 0, done.stderr
    out = site / "output"
    assert (out / "static/style.css").read_bytes() == (REPO / "static/style.css").read_bytes()
    assert '<link rel="stylesheet" href="/coach/static/style.css">' in (out / "drills/dowel-hip-hinge/index.html").read_text()
    assert (out / "cards/dowel-hip-hinge.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "cards/learn-the-hip-hinge-deck.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "pins/dowel-hip-hinge.png").read_bytes().startswith(b"\x89PNG")
    assert not (site / "templates").exists() and not (site / "static").exists()


def test_one_overridden_template_and_stylesheet_change_only_what_uses_them(tmp_path: Path) -> None:
    site = content_only_site(tmp_path / "site")
    builder = Builder(load_settings(site), cards=False)
    builder.build()
    first = outputs(site / "output")

    done = sitegen_cli("theme", "copy", "drill.html", "style.css", cwd=site)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote templates/drill.html\nwrote static/style.css\n"
    drill = site / "templates/drill.html"
    drill.write_text(drill.read_text().replace("Drill{% endblock %}", "My own drill page{% endblock %}"))
    (site / "static/style.css").write_text("body { color: navy }\n")
    result = builder.build()
    drills = sorted(f"drills/{p.stem}/index.html" for p in (site / "content/drills").glob("*.md"))
    assert sorted(result.changed) == sorted(drills + ["static/style.css"])
    second = outputs(site / "output")
    assert all("My own drill page" in second[d].decode() for d in drills)
    assert second["static/style.css"] == b"body { color: navy }\n"
    assert "My own drill page" not in second["exercises/kettlebell-swing/index.html"].decode()

    drill.unlink()
    (site / "static/style.css").unlink()
    builder.build()
    assert outputs(site / "output") == first  # the theme's own files are back


def test_theme_copy_never_replaces_a_file(tmp_path: Path) -> None:
    site = content_only_site(tmp_path / "site")
    (site / "templates").mkdir()
    (site / "templates/card.css").write_text("/* mine */\n")
    done = sitegen_cli("theme", "copy", "drill.html", "card.css", cwd=site)
    assert done.returncode == 2
    assert "templates/card.css already exists" in done.stderr
    assert (site / "templates/card.css").read_text() == "/* mine */\n"
    assert not (site / "templates/drill.html").exists()  # nothing is copied when one name is refused


def test_theme_list_marks_the_overridden_files_and_copy_suggests_a_near_name(tmp_path: Path) -> None:
    site = content_only_site(tmp_path / "site")
    assert sitegen_cli("theme", "copy", "static/style.css", cwd=site).returncode == 0
    listed = sitegen_cli("theme", "--list", cwd=site).stdout.splitlines()
    assert "  style.css   (overridden by the site)" in listed
    assert "  drill.html" in listed and "templates/" in listed and "static/" in listed
    done = sitegen_cli("theme", "copy", "drill.htm", cwd=site)
    assert (done.returncode, done.stderr) == (2, "error: the theme has no file 'drill.htm'; did you mean 'drill.html'?\n")


def test_a_template_error_says_whether_the_file_is_the_sites_or_the_themes(tmp_path: Path) -> None:
    site = content_only_site(tmp_path / "site")
    (site / "templates").mkdir()
    (site / "templates/page.html").write_text('{% extends "base.html" %}\n{% block main %}{{ 1 / 0 }}{% endblock %}\n')
    done = sitegen_cli("build", "--no-cards", cwd=site)
    assert done.returncode == 1
    assert done.stderr.startswith("templates/page.html:2:1: error[TPL001]: template error: ZeroDivisionError")

    (site / "templates/page.html").unlink()
    # The site's macros lack one the theme's drill page imports: the error is in the theme's file.
    (site / "templates/_macros.html").write_text("{% macro nothing() %}{% endmacro %}\n")
    done = sitegen_cli("build", "--no-cards", cwd=site)
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    path, line = first.split(":")[:2]
    assert Path(path).parent == theme.folder("templates") and line.isdigit(), first
    assert "(in sitegen's built-in theme)" in first and "does not export the requested name" in first
    assert f"`sitegen theme copy {Path(path).name}` copies it into the site's templates/" in first


def test_check_fails_where_build_would_on_a_template_and_says_the_same(tmp_path: Path) -> None:
    site = content_only_site(tmp_path / "site")
    (site / "templates").mkdir()
    cases = {
        "drill.html": '{% extends "_movement.html" %}\n{% block kind %}{% if %}{% endblock %}\n',  # a syntax error
        "page.html": '{% extends "base.html" %}\n{% block main %}\n{% include "_missing.html" %}\n{% endblock %}\n',
        "card.html": '{% include "_card_parts.html" %}\n',  # the card template, used by the cards only
    }
    for name, text in cases.items():
        (site / "templates" / name).write_text(text)
        check = sitegen_cli("check", cwd=site)
        build = sitegen_cli("build", *(() if name == "card.html" else ("--no-cards",)), cwd=site)
        assert (check.returncode, build.returncode) == (1, 1), (name, check.stdout, build.stderr)
        found = [line for line in check.stdout.splitlines() if "error[" in line]
        assert len(found) == 1 and found[0].startswith(f"templates/{name}:"), (name, check.stdout)
        assert found[0] in build.stderr.splitlines(), (name, build.stderr)
        assert not (site / "output").exists()
        (site / "templates" / name).unlink()
    assert sitegen_cli("check", cwd=site).returncode == 0
