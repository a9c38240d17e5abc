"""The command line, run as a user runs it: exit codes 0/1/2, messages, and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_page

import sitegen
from sitegen.config import load_settings
from sitegen.content.loader import load

COMMANDS = ("build", "check", "new", "cards", "serve")


def sitegen_cli(*args: str, cwd: Path, program: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run sitegen in a fresh process; whatever happens, it must not print a traceback."""
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([*(program or [sys.executable, "-m", "sitegen"]), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_version(tmp_path: Path) -> None:
    done = sitegen_cli("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, f"sitegen {sitegen.__version__}\n")


def test_installed_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "sitegen"
    assert script.is_file(), "install the package (pip install -e .) so the 'sitegen' command exists"
    done = sitegen_cli("--version", cwd=tmp_path, program=[str(script)])
    assert (done.returncode, done.stdout) == (0, f"sitegen {sitegen.__version__}\n")


def test_the_console_script_ends_with_its_output_written_and_its_exit_code(example_site: Path) -> None:
    """What the command printed into pipes arrives whole, with its exit code."""
    script = [str(Path(sys.executable).parent / "sitegen")]
    drill = example_site / "content/drills/dowel-hip-hinge.md"
    drill.write_text(drill.read_text(encoding="utf-8") + "\nSee [the missing page](missing.md).\n", encoding="utf-8")
    done = sitegen_cli("check", "--no-cards", "--format", "json", cwd=example_site, program=script)
    found = json.loads(done.stdout)
    assert done.returncode == 1 and found and all(d["file"] for d in found)
    done = sitegen_cli("check", "--no-cards", cwd=example_site, program=script)
    assert done.returncode == 1 and done.stdout.rstrip().endswith("in 10 pages")


def test_under_a_profiler_the_command_ends_as_usual_so_the_profile_is_written(example_site: Path) -> None:
    profile = example_site / "check.prof"
    done = sitegen_cli("check", "--no-cards", cwd=example_site,
                       program=[sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "sitegen"])
    assert done.returncode == 0 and profile.stat().st_size > 0


def test_help_lists_the_commands(tmp_path: Path) -> None:
    done = sitegen_cli("--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("usage: sitegen")
    for command in COMMANDS:
        assert f"\n    {command} " in done.stdout, command
    assert "-C DIR" in done.stdout and 'sitegen new drill "Wall hip hinge"' in done.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help(tmp_path: Path, command: str) -> None:
    done = sitegen_cli(command, "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith(f"usage: sitegen {command}")


@pytest.mark.parametrize("args, message", [
    ((), "error: the following arguments are required: COMMAND"),
    (("bulid",), "error: argument COMMAND: invalid choice: 'bulid'"),
    (("--fast", "check"), "error: unrecognized arguments: --fast"),
    (("build", "--fast"), "error: unrecognized arguments: --fast"),
    (("check", "--format", "xml"), "error: argument --format: invalid choice: 'xml'"),
    (("new", "drill"), "error: the following arguments are required: title"),
    (("new", "workout", "X"), "error: argument type: invalid choice: 'workout'"),
    (("serve", "--port", "eighty"), "error: argument --port: invalid int value: 'eighty'"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = sitegen_cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()  # a long usage line wraps; the error is the last line
    assert lines[0].startswith("usage: sitegen") and lines[-1].startswith(message)
    assert sum(line.startswith("error:") for line in lines) == 1


# --- new ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, title, rel", [
    ("drill", "Wall hinge", "content/drills/wall-hinge.md"),
    ("exercise", "Good morning", "content/exercises/good-morning.md"),
    ("guide", 'Hinge: the "basics"', "content/guides/hinge-the-basics.md"),
    ("page", "Contact", "content/contact.md"),
])
def test_new_writes_a_skeleton_that_loads(example_site: Path, kind: str, title: str, rel: str) -> None:
    done = sitegen_cli("new", kind, title, cwd=example_site)
    assert (done.returncode, done.stdout) == (0, f"wrote {rel}\n")
    content = load(load_settings(example_site), drafts=True)
    assert content.diagnostics == []
    (page,) = [p for p in content.pages if f"content/{p.source}" == rel]
    assert (page.type, page.title, page.draft) == (kind, title, True)
    # a new page starts as a draft: the published site and its check are unchanged
    assert sitegen_cli("check", "--drafts", cwd=example_site).returncode == 0
    assert sitegen_cli("check", cwd=example_site).stdout.endswith("0 errors, 0 warnings in 11 pages\n")


def test_new_never_overwrites(example_site: Path) -> None:
    assert sitegen_cli("new", "drill", "Wall hinge", cwd=example_site).returncode == 0
    path = example_site / "content" / "drills" / "wall-hinge.md"
    path.write_text("my own words\n")
    done = sitegen_cli("new", "drill", "Wall Hinge", cwd=example_site)
    assert done.returncode == 2
    assert done.stderr == ("error: content/drills/wall-hinge.md already exists; it was left as it is. "
                           "Pick another title or edit that file\n")
    assert path.read_text() == "my own words\n"


def test_new_skeleton_lists_every_key_of_its_type(example_site: Path) -> None:
    sitegen_cli("new", "drill", "Wall hinge", cwd=example_site)
    text = (example_site / "content" / "drills" / "wall-hinge.md").read_text()
    for key in ("level", "sets", "reps", "cues", "faults", "mastery", "next", "variations"):
        assert f"\n# {key}: " in text, key
    assert "# drills:" not in text  # a guide's key


# --- check and build --------------------------------------------------------------------------------


def test_check_clean_site_exits_0(example_site: Path) -> None:
    done = sitegen_cli("check", cwd=example_site)
    assert (done.returncode, done.stdout) == (0, "0 errors, 0 warnings in 10 pages\n")


BAD_INPUT = [
    ("YAML syntax error", "---\ntype: drill\ntitle: a: b\n---\n", "3:9: error[FM001]: front matter is not valid YAML"),
    ("missing closing ---", "---\ntype: drill\ntitle: T\n", "1:1: error[FM001]: the front matter is never closed"),
    ("not a mapping", "---\n- drill\n---\n", "2:1: error[FM001]: front matter must be a mapping"),
    ("reps: lots", "---\ntype: drill\ntitle: T\nreps: lots\n---\n", "4:7: error[VALUE001]: 'reps' must be a positive"),
    ("level: 9", "---\ntype: drill\ntitle: T\nlevel: 9\n---\n", "4:8: error[VALUE001]: 'level' must be a whole number"),
    ("unknown key", "---\ntype: drill\ntitle: T\nnxt: a.md\n---\n",
     "4:1: error[KEY001]: unknown key 'nxt'; did you mean 'next'?"),
    ("not UTF-8", b"---\ntype: drill\ntitle: \xff\n---\n", "3:8: error[FILE001]: the file is not UTF-8 text"),
    ("empty file", "", "1:1: error[FM001]: the file does not start with front matter"),
    ("missing title", "---\ntype: drill\n---\n", "2:1: error[KEY003]: required key 'title' is missing"),
]


@pytest.mark.parametrize("text, error", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_check_bad_input_one_clear_line_exit_1(example_site: Path, text: str | bytes, error: str) -> None:
    path = example_site / "content" / "drills" / "bad.md"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    done = sitegen_cli("check", cwd=example_site)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"content/drills/bad.md:{error}"), done.stdout
    assert lines[1] == "1 error, 0 warnings in 11 pages"


def test_check_json(example_site: Path) -> None:
    write_page(example_site, "drills/bad.md", "---\ntype: drill\ntitle: T\nlevel: 9\n---\n")
    done = sitegen_cli("check", "--format", "json", cwd=example_site)
    assert done.returncode == 1
    (found,) = json.loads(done.stdout)
    assert {k: found[k] for k in ("file", "line", "column", "severity", "code")} == {
        "file": "content/drills/bad.md", "line": 4, "column": 8, "severity": "error", "code": "VALUE001"}
    assert "from 1 to 5" in found["message"] and found["hint"]


def test_check_bad_settings_exit_2(example_site: Path) -> None:
    (example_site / "sitegen.toml").write_text('title = "T"\nbase_url = "example.org"\n')
    done = sitegen_cli("check", cwd=example_site)
    assert done.returncode == 2
    assert done.stderr.startswith("sitegen.toml:2:1: error[CONF003]: base_url 'example.org'")


def test_build_exit_codes_and_output(example_site: Path, tmp_path: Path) -> None:
    done = sitegen_cli("-C", str(example_site), "build", "--no-cards", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stderr.startswith("built 10 pages, ") and "files into output/ in " in done.stderr
    index = example_site / "output" / "index.html"
    good = index.read_bytes()

    write_page(example_site, "drills/bad.md", "---\ntype: drill\ntitle: T\nreps: 10-6\n---\n")
    done = sitegen_cli("-C", str(example_site), "build", "--no-cards", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("content/drills/bad.md:4:7: error[VALUE001]: 'reps' range '10-6'")
    assert index.read_bytes() == good

    (example_site / "content" / "drills" / "bad.md").unlink()
    (example_site / "sitegen.toml").write_text('output_dir = "content"\n')
    done = sitegen_cli("-C", str(example_site), "build", "--no-cards", cwd=tmp_path)
    assert done.returncode == 2 and "overlaps content/" in done.stderr


def test_build_base_url_option_honours_subpath(example_site: Path) -> None:
    done = sitegen_cli("build", "--no-cards", "--base-url", "https://example.org/coach", cwd=example_site)
    assert done.returncode == 0
    html = (example_site / "output" / "drills" / "bodyweight-rdl" / "index.html").read_text()
    assert 'href="/coach/static/style.css"' in html
    assert '<link rel="canonical" href="https://example.org/coach/drills/bodyweight-rdl/">' in html


def test_build_template_error_is_one_line(example_site: Path) -> None:
    (example_site / "templates" / "page.html").write_text("{% extends 'base.html' %}\n{% block main %}{{ 1 / 0 }}"
                                                          "{% endblock %}\n")
    done = sitegen_cli("build", "--no-cards", cwd=example_site)
    assert done.returncode == 1
    assert done.stderr.startswith("templates/page.html:2:1: error[TPL001]: template error: ZeroDivisionError")
    assert not (example_site / "output").exists()


def test_build_into_an_impossible_folder_is_a_clean_error(example_site: Path) -> None:
    (example_site / "a-file").write_text("not a folder")
    done = sitegen_cli("build", "--no-cards", "--output", "a-file/out", cwd=example_site)
    assert done.returncode == 2
    assert done.stderr == f"error: {(example_site / 'a-file').resolve()}: File exists\n"
    assert (example_site / "a-file").read_text() == "not a folder"


def _overflow_a_card(site: Path) -> None:
    """Give a drill far more faults than one card can hold."""
    path = site / "content" / "drills" / "weighted-rdl.md"
    faults = "".join(f"  - fault: Fault number {i} is described at some length so that it wraps onto two lines\n"
                     f"    fix: The fix for fault {i} is also long enough to need a second line on the card\n"
                     for i in range(12))
    path.write_text(path.read_text().replace("faults:\n", "faults:\n" + faults, 1))


def test_check_reports_a_card_that_overflows(example_site: Path) -> None:
    _overflow_a_card(example_site)
    done = sitegen_cli("check", cwd=example_site)
    assert done.returncode == 1, done.stdout
    (line,) = [x for x in done.stdout.splitlines() if "CARD001" in x]
    assert line.startswith("content/drills/weighted-rdl.md:") and "overflows by" in line
    skipped = sitegen_cli("check", "--no-cards", cwd=example_site)
    assert (skipped.returncode, skipped.stdout) == (0, "0 errors, 0 warnings in 10 pages\n")


def test_build_strict_summary_counts_warnings_as_errors(example_site: Path) -> None:
    write_page(example_site, "drills/orphan.md", "---\ntype: drill\ntitle: Nobody links here\n---\n")
    done = sitegen_cli("build", "--no-cards", "--strict", cwd=example_site)
    assert done.returncode == 1
    assert "ORPHAN001" in done.stderr and done.stderr.rstrip().endswith("1 error, 0 warnings in 11 pages")
    assert not (example_site / "output").exists()


def test_a_bad_base_url_option_is_blamed_on_the_option(example_site: Path) -> None:
    done = sitegen_cli("build", "--no-cards", "--base-url", "example.org", cwd=example_site)
    assert done.returncode == 2
    assert done.stderr.startswith("--base-url: error[CONF003]: base_url 'example.org' is not an absolute"), done.stderr
    assert not (example_site / "output").exists()


@pytest.mark.parametrize("args, rel, title", [
    (("Übung für Anfänger",), "content/drills/ubung-fur-anfanger.md", "Übung für Anfänger"),
    (("Straße & Łódź",), "content/drills/strasse-lodz.md", "Straße & Łódź"),
    (("Wall push-up", "--slug", "wall-pu"), "content/drills/wall-pu.md", "Wall push-up"),
    (("壁立て伏せ", "--slug", "kabe"), "content/drills/kabe.md", "壁立て伏せ"),
])
def test_new_makes_ascii_slugs_and_keeps_the_title_as_written(example_site: Path, args, rel: str, title: str) -> None:
    done = sitegen_cli("new", "drill", *args, cwd=example_site)
    assert (done.returncode, done.stdout) == (0, f"wrote {rel}\n")
    (page,) = [p for p in load(load_settings(example_site), drafts=True).pages if f"content/{p.source}" == rel]
    assert page.title == title


@pytest.mark.parametrize("args, message", [
    (("",), "error: the title is empty; it must be one line of text: write one, e.g. sitegen new drill \"Wall push-up\"\n"),
    (("   ",), "error: the title is empty; it must be one line of text: write one, e.g. sitegen new drill \"Wall push-up\"\n"),
    (("壁立て伏せ",), "error: no letter of '壁立て伏せ' makes an ASCII file name; name the page's file yourself "
                    "with --slug, e.g. --slug wall-push-up\n"),
    (("Wall", "--slug", "Wall Push"), "error: --slug 'Wall Push' may hold only lowercase letters a-z, digits, '-', "
                                      "'_' and '.', starting with a letter or digit; e.g. --slug wall-push\n"),
])
def test_new_refuses_an_empty_title_or_an_unusable_slug(example_site: Path, args, message: str) -> None:
    before = sorted(example_site.rglob("*"))
    done = sitegen_cli("new", "drill", *args, cwd=example_site)
    assert (done.returncode, done.stderr) == (2, message)
    assert sorted(example_site.rglob("*")) == before
