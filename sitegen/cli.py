"""The command line: parse arguments, call the pipeline, print. Exit codes: 0 ok, 1 content, 2 usage."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from sitegen import __version__
from sitegen.errors import ContentError, SitegenError, UsageError

DESCRIPTION = """\
Build a static site of exercise progressions (guides, drills, exercises) from Markdown,
with printable PDF drill cards, a progression checker and a live preview.

Run it in a site folder (one with content/ and templates/), or point at one with -C."""

EPILOG = """\
examples:
  sitegen build                  check, then build the site and cards into output/
  sitegen build --watch          build, then build again after every save
  sitegen check                  validate every page and progression link
  sitegen serve --open           preview with live reload at http://127.0.0.1:8000/
  sitegen new drill "Wall hip hinge"
  sitegen -C path/to/site build --no-cards"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 by itself; keep its usage line short
        self.print_usage(sys.stderr)
        raise UsageError(f"error: {message}")


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sitegen", description=DESCRIPTION, epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"sitegen {__version__}")
    p.add_argument("-C", dest="site", metavar="DIR", type=Path, default=Path("."),
                   help="the site folder (default: the current folder)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    b = sub.add_parser("build", help="check the site, then write the HTML site and cards to output/",
                       description="Check the site, then write the HTML site and the cards. Nothing is written "
                                   "when the check finds an error: the previous output stays as it was.")
    b.add_argument("--no-cards", dest="cards", action="store_false", help="skip the PDF cards and pin images")
    _unpublished_options(b, "include")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("--output", type=Path, metavar="DIR", help="write here instead of the output_dir setting")
    b.add_argument("--base-url", metavar="URL", help="override the base_url setting")
    b.add_argument("-j", "--jobs", type=_jobs, metavar="N", help="processes that render pages (default: one per CPU)")
    b.add_argument("--watch", action="store_true",
                   help="stay running and build again after every save, redoing only what changed (Ctrl-C stops)")

    c = sub.add_parser("check", help="validate every page and progression link; write nothing",
                       description="Validate front matter, links and the progression graph. Exit 0 when clean, "
                                   "1 when there are errors (or warnings with --strict).")
    c.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or a JSON array")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _unpublished_options(c, "check, as published,")
    c.add_argument("--no-cards", dest="cards", action="store_false",
                   help="skip laying out the cards (faster; leaves out the check that every card fits its page)")

    i = sub.add_parser("init", help="start a new site in a folder: settings, a starter guide, a publishing workflow",
                       description="Write a ready site into DIR (default: the current folder): sitegen.toml, a "
                                   "starter guide with two drills and an exercise, a .gitignore and a GitHub Pages "
                                   "workflow. Settings not given as options are asked for on a terminal. "
                                   "Never overwrites a file.")
    i.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR")
    i.add_argument("--title", help="the site's name (default: from the folder's name)")
    i.add_argument("--base-url", metavar="URL", help="where the site will be published, e.g. https://example.org/")
    i.add_argument("--author", help="shown in the footer and the feed")

    n = sub.add_parser("new", help="start a new page from a front-matter skeleton",
                       description="Write content/<type>s/<slug>.md with every key of its type. "
                                   "Never overwrites an existing file.")
    n.add_argument("type", choices=("guide", "drill", "exercise", "page"))
    n.add_argument("title", help="the page's title, as readers see it")
    n.add_argument("--slug", help="the file name and last part of the URL (default: the title in ASCII, "
                                  "e.g. ubung-fur-anfanger for 'Übung für Anfänger')")

    k = sub.add_parser("cards", help="make only the PDF drill cards and pin images",
                       description="Render the PDF cards, the guide decks and the pin images into output/.")
    k.add_argument("--size", help="card size: 4x6, a6, letter-4up or a4-4up (default: the card_size setting)")

    t = sub.add_parser("theme", help="list the built-in theme's files, or copy some into the site to change them",
                       description="The site's templates/ and static/ override the built-in theme file by file. "
                                   "Copy the files you want to change; the others keep following the theme. "
                                   "An existing file is never replaced.")
    t.add_argument("--list", action="store_true", help="list the theme's files (marking those the site overrides)")
    tsub = t.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    tc = tsub.add_parser("copy", help="copy theme files into templates/ or static/",
                         description="Copy theme files into the site, e.g. `sitegen theme copy drill.html style.css`.")
    tc.add_argument("names", nargs="+", metavar="NAME", help="a file of the theme, as --list shows it")

    s = sub.add_parser("serve", help="preview the site with live reload while you edit",
                       description="Build into a preview folder and serve it with live reload. "
                                   "Errors show in the browser as an overlay.")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--open", action="store_true", help="open the site in a web browser")
    _unpublished_options(s, "show")
    return p


def _unpublished_options(p: argparse.ArgumentParser, verb: str) -> None:
    """The pages a published site leaves out, alike on every command that reads the pages
    (content.loader.Unpublished)."""
    p.add_argument("--drafts", action="store_true", help=f"{verb} pages marked draft: true")
    p.add_argument("--future", action="store_true", help=f"{verb} pages dated after today")


def entry() -> None:
    """The `sitegen` command: `main`, then the usual end of the process. A reader that closed
    the pipe early (`sitegen check | head`) took what it wanted: no complaint about the rest."""
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # What is left unwritten would fail again at exit: send it nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    # The interpreter's last collection at exit would walk every object a build made (the whole
    # site); frozen, they are skipped. Exit handlers still run, and the system frees the memory.
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return run(args)
    except ContentError as exc:
        from sitegen.diagnostics import write_text

        write_text(exc.diagnostics, exc.pages, strict=exc.strict)
        return exc.exit_code
    except SitegenError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the machine, not the content: a file where a folder should be, a full disk, a busy port
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _settings(args: argparse.Namespace):
    from sitegen.config import load_settings

    root = args.site
    if not root.is_dir():
        raise UsageError(f"error: no such folder: {root}")
    settings = load_settings(root)
    if args.command in ("build", "check", "cards", "serve") and not settings.content_path.is_dir():
        raise UsageError(f"error: no {settings.content_dir}/ folder in {settings.root}; run sitegen in a site "
                         "folder, or name one with -C DIR")
    return settings


def run(args: argparse.Namespace) -> int:
    if args.command == "init":
        return _init(args)
    settings = _settings(args)
    if args.command == "check":
        return _check(settings, args)
    if args.command == "build":
        return _build(settings, args)
    if args.command == "new":
        from sitegen.content.scaffold import new_page

        path = new_page(settings, args.type, args.title, args.slug)
        print(f"wrote {path.relative_to(settings.root).as_posix()}")
        return 0
    if args.command == "theme":
        return _theme(settings, args)
    if args.command == "cards":
        from sitegen.build.cards_only import cards_command

        return cards_command(settings, size=args.size)
    if args.command == "serve":
        from sitegen.content.loader import Unpublished
        from sitegen.preview.server import serve

        return serve(settings, host=args.host, port=args.port, open_browser=args.open,
                     unpublished=Unpublished(drafts=args.drafts, future=args.future))
    raise UsageError(f"error: unknown command {args.command}")


def _init(args: argparse.Namespace) -> int:
    from sitegen.config import Settings, normalise_base_url
    from sitegen.content.starter import init_site

    folder = args.site / args.dir
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"error: {folder} is a file, not a folder")
    ask = sys.stdin.isatty() and sys.stdout.isatty()
    default_title = folder.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize() or "My site"
    title = args.title if args.title is not None else _ask("Site title", default_title) if ask else default_title
    base_url = normalise_base_url(args.base_url, "--base-url") if args.base_url else ""
    while ask and args.base_url is None:  # asked again until it is a URL, or left for later
        try:
            answer = _ask("Where it will be published (base_url; empty: decide later)", "")
            base_url = normalise_base_url(answer, "base_url") if answer else ""
            break
        except UsageError as exc:
            print(exc, file=sys.stderr)
    author = args.author if args.author is not None else _ask("Author", "") if ask else ""
    written, kept = init_site(folder, title or Settings.title, base_url, author)
    for rel in written:
        print(f"wrote {(folder / rel).as_posix()}")
    for rel in kept:
        print(f"kept {(folder / rel).as_posix()}: it was already there")
    go = "" if folder.resolve() == Path.cwd() else f"cd {folder.as_posix()}\n  "
    print(f"\nNext:\n  {go}sitegen serve --open    preview it with live reload while you edit content/\n"
          "  sitegen build           the site and its PDF cards, into output/\n"
          "To publish on GitHub Pages, push to GitHub: .github/workflows/publish.yml builds and deploys it"
          + ("" if base_url else "\n(set base_url in sitegen.toml first: until then links in cards and the feed "
                                 "point at localhost)"))
    return 0


def _ask(question: str, default: str) -> str:
    answer = input(f"{question}{f' [{default}]' if default else ''}: ").strip()
    return answer or default


def _theme(settings, args: argparse.Namespace) -> int:
    from sitegen import theme

    if args.action == "copy":
        for path in theme.copy(settings, args.names):
            print(f"wrote {path.relative_to(settings.root).as_posix()}")
        return 0
    if not args.list:
        raise UsageError("error: say what to do: sitegen theme --list, or sitegen theme copy NAME...")
    for kind in theme.KINDS:
        print(f"{kind}/")
        for name in theme.names(kind):
            own = theme.folders(settings, kind)[0] / name
            print(f"  {name}{'   (overridden by the site)' if own.is_file() and not theme.is_theme_file(own) else ''}")
    return 0


def _check(settings, args: argparse.Namespace) -> int:
    from sitegen.check.checker import check
    from sitegen.content.loader import stored_memo
    from sitegen.diagnostics import count, write_json, write_text

    # One pass that makes ~300,000 lasting objects per 1,000 pages, then exits: the cyclic
    # collector would only walk them again and again (a tenth of the check's time).
    gc.disable()
    more = None
    if args.cards:  # the cards' files are outputs too
        from sitegen.cards.paths import claims

        more = lambda site: claims(site, settings.card_size)  # noqa: E731
    # The pages the last build kept: only files changed since are read and scanned again.
    checked = check(settings, drafts=args.drafts, memo=stored_memo(settings, read_only=True), future=args.future,
                    more_outputs=more)
    diagnostics = checked.diagnostics
    if not checked.failed():  # the templates, as a build would meet them
        from sitegen.render.pages import template_problems

        diagnostics = diagnostics + template_problems(settings)
    if args.cards and not count(diagnostics)[0]:
        # Cards are laid out only for a site that loads and links cleanly; unchanged cards come
        # from the cache.
        from sitegen.cards.pipeline import card_fit_diagnostics
        from sitegen.report import Reporter

        diagnostics = diagnostics + card_fit_diagnostics(checked.site, reporter=Reporter(quiet=args.format == "json"))
    if args.format == "json":
        write_json(diagnostics)
    else:
        write_text(diagnostics, checked.pages, sys.stdout, strict=args.strict)
    return 1 if count(diagnostics, args.strict)[0] else 0


def _build(settings, args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(settings, args)
    from sitegen.build.builder import build
    from sitegen.diagnostics import write_text

    if args.base_url:
        settings = settings.with_base_url(args.base_url)
    # One build, then the process exits, and so do its render workers, which inherit this: the
    # collector would walk the loaded site again and again (in each worker too, copying the
    # pages it touches) to find a few MB of cyclic garbage per 1,000 pages (~6% of a cold build).
    gc.disable()
    try:
        result = build(settings, drafts=args.drafts, strict=args.strict, cards=args.cards, output=args.output,
                       jobs=args.jobs, future=args.future)
    except ContentError as exc:
        exc.strict = args.strict
        raise
    if result.warnings:
        write_text(result.warnings, result.pages)
    print(f"built {result.pages} pages, {result.files} files into {_shown(settings, result.output)}/ "
          f"in {result.seconds:.2f} s", file=sys.stderr)
    if result.scheduled:
        print(f"left out {len(result.scheduled)} page(s) dated after today (publish them now with --future): "
              + ", ".join(result.scheduled), file=sys.stderr)
    return 0


def _shown(settings, output: Path) -> Path:
    """The output folder as the user would write it: relative to the site folder when inside it."""
    return output.relative_to(settings.root) if output.is_relative_to(settings.root) else output


def _watch(settings, args: argparse.Namespace) -> int:
    from sitegen.build.builder import Builder
    from sitegen.build.output import check_output_dir
    from sitegen.parallel import default_jobs
    from sitegen.preview.session import Rebuilds, watch
    from sitegen.report import Reporter

    reporter = Reporter()

    def make_builder(current):
        if args.base_url:
            current = current.with_base_url(args.base_url)
        return Builder(current, drafts=args.drafts, strict=args.strict, cards=args.cards, output=args.output,
                       reporter=reporter, future=args.future)

    def keeps(current) -> str:
        return f"{_shown(current, (args.output or current.output_path).resolve())}/ keeps the last good build"

    check_output_dir(settings, args.output)  # a folder it must not replace stops it before it starts
    rebuilds = Rebuilds(settings, make_builder, keeps)
    return watch(rebuilds, args.jobs or default_jobs(), reporter)
