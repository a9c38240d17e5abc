"""Settings: where they are read from, and every way they can be wrong (exit code 2, file and line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_page

from sitegen.cli import main
from sitegen.config import SETTABLE, Settings, load_settings
from sitegen.errors import UsageError

PROJECT = """\
[project]
name = "my-site"
description = "The Python project's own description"

[tool.sitegen]
title = "Coach"
"""


def settings_error(root: Path) -> str:
    with pytest.raises(UsageError) as caught:
        load_settings(root)
    assert caught.value.exit_code == 2
    return str(caught.value)


def test_defaults_without_a_settings_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings == Settings()
    assert (settings.source, settings.root) == ("settings", tmp_path.resolve())
    assert settings.output_path == tmp_path.resolve() / "output"


def test_tool_sitegen_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT + 'base_url = "https://example.org/coach"\nauthor = "Sam"\n'
                                             'language = "de"\ncard_size = "A6"\n')
    settings = load_settings(tmp_path)
    assert (settings.title, settings.author, settings.language, settings.source) == ("Coach", "Sam", "de",
                                                                                      "pyproject.toml")
    assert settings.description == ""  # the [project] table's description is not the site's
    assert settings.base_url == "https://example.org/coach/"  # a trailing slash is added
    assert settings.base_path == "/coach/"
    assert settings.card_size == "a6"


@pytest.mark.parametrize("text", ['title = "Own"\n', '[sitegen]\ntitle = "Own"\n'])
def test_sitegen_toml_wins_over_pyproject(tmp_path: Path, text: str) -> None:
    # pyproject.toml's table even has an error: it must not be read at all
    (tmp_path / "pyproject.toml").write_text(PROJECT + "nonsense = 1\n")
    (tmp_path / "sitegen.toml").write_text(text)
    settings = load_settings(tmp_path)
    assert (settings.title, settings.source) == ("Own", "sitegen.toml")


def test_folder_names_are_settings(tmp_path: Path) -> None:
    (tmp_path / "sitegen.toml").write_text('content_dir = "pages"\ntemplates_dir = "layouts"\n'
                                           'static_dir = "assets"\noutput_dir = "public"\n')
    settings = load_settings(tmp_path)
    root = tmp_path.resolve()
    assert (settings.content_path, settings.templates_path, settings.static_path, settings.output_path) == (
        root / "pages", root / "layouts", root / "assets", root / "public")


@pytest.mark.parametrize("lines, error", [
    ('title = "T"\ntitel = "x"\n', "sitegen.toml:2:1: error[CONF002]: unknown setting 'titel'; did you mean 'title'?"),
    ('base_ur1 = "https://example.org/"\n', "sitegen.toml:1:1: error[CONF002]: unknown setting 'base_ur1'; "
                                            "did you mean 'base_url'?"),
    ('\n\noutputdir = "out"\n', "sitegen.toml:3:1: error[CONF002]: unknown setting 'outputdir'; "
                                "did you mean 'output_dir'?"),
    ('zzz = "x"\n', "sitegen.toml:1:1: error[CONF002]: unknown setting 'zzz'; known settings: " + ", ".join(SETTABLE)),
    ('title = 3\n', "sitegen.toml:1:1: error[CONF004]: setting 'title' must be a string, not int"),
    ('title = "T"\nlanguage = ["en"]\n', "sitegen.toml:2:1: error[CONF004]: setting 'language' must be a string"),
    ('draft = true\n', "sitegen.toml:1:1: error[CONF002]: unknown setting 'draft'"),
    ('base_url = "example.org"\n', "sitegen.toml:1:1: error[CONF003]: base_url 'example.org' is not an absolute "
                                   "http(s) URL"),
    ('title = "T"\nbase_url = "ftp://example.org/"\n', "sitegen.toml:2:1: error[CONF003]: base_url "
                                                       "'ftp://example.org/' is not an absolute http(s) URL"),
    ('base_url = "/coach/"\n', "sitegen.toml:1:1: error[CONF003]"),
    ('base_url = "https://example.org/?a=1"\n', "sitegen.toml:1:1: error[CONF003]: base_url "
                                                "'https://example.org/?a=1' must not carry a query or fragment"),
    ('card_size = "huge"\n', "sitegen.toml:1:1: error[CONF005]: card_size 'huge' is not known"),
    ('title = "T"\nrender_time_limit = "soon"\n', "sitegen.toml:2:1: error[CONF008]: render_time_limit 'soon' is not "
                                                 "a number of seconds above 0"),
    ('render_time_limit = "0"\n', "sitegen.toml:1:1: error[CONF008]"),
    ('title = "T"\nauthor = "Sam\\u001b[31m"\n', "sitegen.toml:2:10: error[CONF007]: setting 'author' holds the "
                                                "control character U+001B"),
    ('title = "a\nb = 2\n', "sitegen.toml:1:11: error[CONF001]: invalid TOML: Illegal character"),
    ('title = "T"\nb = = 2\n', "sitegen.toml:2:5: error[CONF001]: invalid TOML: Invalid value"),
    ('sitegen = "x"\n', "sitegen.toml:1:1: error[CONF001]: 'sitegen' must be a table of settings"),
])
def test_bad_settings_name_file_and_line(tmp_path: Path, lines: str, error: str) -> None:
    (tmp_path / "sitegen.toml").write_text(lines)
    assert settings_error(tmp_path).startswith(error)


def test_lines_are_counted_inside_the_sitegen_table(tmp_path: Path) -> None:
    # [project] has a 'description' too (line 3): the error is about the one on line 9.
    (tmp_path / "pyproject.toml").write_text(PROJECT + '\nauthor = "A"\ndescription = 3\ntitel = "x"\n')
    assert settings_error(tmp_path).splitlines() == [
        "pyproject.toml:9:1: error[CONF004]: setting 'description' must be a string, not int; "
        'write it in quotes, e.g. description = "3"',
        "pyproject.toml:10:1: error[CONF002]: unknown setting 'titel'; did you mean 'title'?",
    ]


def test_pyproject_tool_sitegen_not_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\nother = 1\nsitegen = 3\n')
    assert settings_error(tmp_path).startswith("pyproject.toml:3:1: error[CONF001]: 'sitegen' must be a table")


@pytest.mark.parametrize("name", ["sitegen.toml", "pyproject.toml"])
def test_settings_file_that_is_not_utf8(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b'title = "caf\xe9"\n')
    assert settings_error(tmp_path) == (f"{name}:1:1: error[CONF001]: invalid TOML: the file is not UTF-8 text "
                                        "(byte 12); save it as UTF-8")


def test_with_base_url_validates(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.with_base_url("https://example.org/coach").base_path == "/coach/"
    with pytest.raises(UsageError, match="is not an absolute http"):
        settings.with_base_url("coach/")


# --- through the command line -------------------------------------------------------------------


def test_cli_unknown_setting_exits_2_naming_file_and_line(example_site: Path, capsys) -> None:
    pyproject = example_site / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text + 'autor = "x"\n')
    line = text.count("\n") + 1
    assert main(["-C", str(example_site), "check"]) == 2
    err = capsys.readouterr().err
    assert err == f"pyproject.toml:{line}:1: error[CONF002]: unknown setting 'autor'; did you mean 'author'?\n"


def test_cli_bad_base_url_option_exits_2(example_site: Path, capsys) -> None:
    assert main(["-C", str(example_site), "build", "--no-cards", "--base-url", "example.org"]) == 2
    assert "base_url 'example.org' is not an absolute http(s) URL" in capsys.readouterr().err
    assert not (example_site / "output").exists()


def test_cli_works_on_another_folder(example_site: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (example_site / "sitegen.toml").write_text('title = "Elsewhere"\noutput_dir = "public"\n')
    assert main(["-C", str(example_site), "build", "--no-cards"]) == 0
    assert "into public/" in capsys.readouterr().err
    html = (example_site / "public" / "index.html").read_text()
    assert "<title>Elsewhere</title>" in html
    assert list(elsewhere.iterdir()) == []  # nothing written where the command ran


@pytest.mark.parametrize("args, message", [
    (["-C", "no-such-folder", "check"], "error: no such folder: no-such-folder"),
    (["check"], "error: no content/ folder in"),
])
def test_cli_without_a_site_exits_2(tmp_path: Path, monkeypatch, capsys, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_cli_content_folder_setting(tmp_path: Path, capsys) -> None:
    site = tmp_path / "site"
    write_page(site, "x.md", "---\ntype: page\ntitle: T\nlevel: 2\n---\n")
    (site / "content").rename(site / "pages")
    (site / "sitegen.toml").write_text('content_dir = "pages"\n')
    assert main(["-C", str(site), "check"]) == 1
    assert "pages/x.md:4:1: error[KEY002]: 'level' is a key of drill and exercise pages, not of a page" in (
        capsys.readouterr().out)
