"""Incremental builds: render only what changed, write only what differs, swap in one step.

`.sitegen-cache/` in the site folder (safe to delete) keeps each page's rendered Markdown,
keyed by its body and the Markdown settings, and for each build a manifest of what every
output file was made from and holds (see build/manifest.py and render/deps.py). A build asks which outputs'
inputs changed since the build that made `output/`, renders those only, and puts every file
into the folder that is swapped in (see assemble.py): the first build writes a fresh folder,
later ones update `output/`'s twin in place and exchange the two. When no file of the site
changed at all, the build stops after comparing file sizes and times. An entry that is
corrupted, or a manifest that does not match its folder, is detected and rebuilt, never used.

For long-running callers such as the preview server:

    builder = Builder(settings, output=preview_dir, cards=False)
    result = builder.build()   # raises ContentError (with diagnostics) or UsageError, as build() does
    result.rendered            # output paths rendered by this build
    result.changed             # output paths whose bytes changed: written anew, or removed

A Builder keeps the loaded pages (re-reading only files whose size or time changed), the
rendered Markdown and the manifests in memory between builds. `sitegen.build.build()` is
the one-shot entry point the CLI uses: each of its builds starts from what the cache kept for
it instead, i.e. the pages the last build loaded and what was derived from them (loader.PageMemo),
what each template uses, and the compiled templates (in a private folder, see template_code),
so an edit costs about what the edited page does plus a pass of the whole-site checks. The
output folder's twin is `output.twin_path(folder)`: remove it with the folder.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from sitegen import theme
from sitegen.build.ahead import RenderAhead
from sitegen.build.assemble import Fresh, Reuse, intact
from sitegen.build.manifest import KeyTable, Manifest, Output
from sitegen.build.references import SCANNED, References, broken, resolves
from sitegen.build.output import Staging, Twin, build_id_of, check_output_dir, one_build_at_a_time
from sitegen.cache import Cache, code_digest, digest
from sitegen.cards.paths import claims as card_claims
from sitegen.check.checker import Checker
from sitegen.collector import collector_paused
from sitegen.config import Settings
from sitegen.content.loader import PageMemo, everything_kept, ignored, site_path, stored_memo, tree
from sitegen.content.site import Site
from sitegen.diagnostics import Diagnostic, count
from sitegen.errors import ContentError
from sitegen.parallel import run, start_method
from sitegen.render.bodies import Bodies, body_key
from sitegen.render.deps import Analyses, Answers, QuestionTexts, TemplateInfo
from sitegen.render.markdown import HtmlBody, MarkdownEngine
from sitegen.render.pages import Renderer, environment
from sitegen.report import Reporter
from sitegen.watchdog import TooSlow, Watchdog

# A file whose time is this close to a build's start may change again within the same tick of
# the file system's clock, so an equal size and time do not prove it unchanged.
_RACY_NS = 1_000_000_000


@dataclass
class BuildResult:
    output: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Diagnostic] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)  # pages left out for their future date


@dataclass
class _Run:
    """One build: where it goes, what it started from, and what it found before rendering."""

    target: Path
    started: float  # perf_counter, for the time reported
    started_ns: int  # wall clock, to tell files changed during the build
    command: str  # see Builder._command
    sources: dict[str, list[int]]  # see scan
    stats: dict[str, os.stat_result]
    live: Manifest | None  # the build that made the live folder
    memo: PageMemo
    ahead: RenderAhead | None = None  # rendering Markdown on the spare core meanwhile (ahead.py)


@dataclass
class _Made:
    """One rendered output as a worker process left it: small and plain, to travel back."""

    path: str
    keys: list[str] | None
    values: list[str | None]
    digest: str = ""
    size: int = 0
    mtime: int = 0
    wrote: bool = False
    error: Diagnostic | None = None
    bodies: list[tuple[str, bytes]] = field(default_factory=list)  # Markdown rendered for it, to cache
    unresolved: list[tuple[str, str, str]] = field(default_factory=list)  # see references.References
    copy: bool = False  # a file copied as it is, not rendered


def _stamp(st: os.stat_result) -> list[int]:
    """Size, modification time and status-change time: a file saved again with the same size,
    and its time set back (an editor or a sync tool can), still differs in the last."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _racy(stamp: list[int], started_ns: int) -> bool:
    """Whether a file may have changed again within the clock tick after a build started."""
    return max(stamp[1:]) + _RACY_NS >= started_ns


def scan(settings: Settings, content_stats: dict[str, os.stat_result] | None = None) -> dict[str, list[int]]:
    """Size and times (`_stamp`) of every file the build reads (content, templates, static files,
    settings), by path relative to the site folder. `content_stats`, when given, gets the whole stat of each
    file in content/, by its path there: loading the pages then stats none of them again."""
    found: dict[str, list[int]] = {}
    root = settings.root
    # The theme's folders too: an editable install's theme changes without sitegen's code.
    for folder in (settings.content_path, *theme.folders(settings, "templates"), *theme.folders(settings, "static")):
        if folder.is_dir():
            files: dict[str, os.stat_result] = {}
            left_out: list[Diagnostic] = []
            tree(folder, root, files, left_out, skip=everything_kept if folder in theme.folders(settings, "static") else ignored)
            rel = site_path(folder, root)
            for inner, st in files.items():
                found[f"{rel}/{inner}"] = _stamp(st)
            for problem in left_out:  # a bad link the check will report: no build may stand unchanged
                found[problem.file] = [-1, 0]
            if content_stats is not None and folder == settings.content_path:
                content_stats.update(files)
    settings_file = root / settings.source
    if settings_file.is_file():
        found[settings.source] = _stamp(settings_file.stat())
    return found


def template_code() -> Any:
    """A Jinja bytecode cache: a one-shot build loads compiled templates instead of compiling
    them. Compiled templates are code, so they are never kept in the site folder (a shared site
    could plant them) but in Jinja's default folder: one in the temporary directory that only
    this user can reach. Entries are keyed by the template's name, file and source, and
    sitegen's code (which makes the environment). None where no such folder can be had."""
    import jinja2

    class TemplateCode(jinja2.FileSystemBytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            return digest("jinja", code_digest(), name, filename or "")

    try:
        return TemplateCode()
    except (RuntimeError, OSError):  # no private folder: templates are compiled each time
        return None


def _load_templates(env: Any) -> None:
    for name in env.list_templates():
        try:
            env.get_template(name)
        except Exception:  # a broken template: the render that uses it reports it, with its line
            pass


class Builder:
    """Builds one site into one output folder, again and again, redoing only what changed.

    `jobs` > 1 renders big batches in forked worker processes where forking is safe (elsewhere
    in this process: see parallel.py); the default of 1 suits callers that run threads (forking
    a threaded process is unsafe). `build()` uses every core."""

    def __init__(self, settings: Settings, *, drafts: bool = False, strict: bool = False, cards: bool = True,
                 output: Path | None = None, reporter: Reporter | None = None, jobs: int = 1,
                 extra_context: dict[str, Any] | None = None, keep_in_memory: bool = True, future: bool = False):
        self.settings = settings
        self.drafts, self.strict, self.cards, self.future = drafts, strict, cards, future
        self.output = output
        self.reporter = reporter or Reporter()
        self.jobs = jobs
        self.extra_context = extra_context
        self.cache = Cache(settings.root, "markdown")
        self.manifests = Cache(settings.root, "builds")
        self.templates = Cache(settings.root, "templates")  # what each template uses (see TemplateInfo)
        self._memo = PageMemo() if keep_in_memory else None
        self._bodies: dict[str, HtmlBody] | None = {} if keep_in_memory else None
        # What checking and rendering remember from one build to the next: a Builder is the
        # session that owns them (and a one-shot build's Builder lives for one build).
        self._checker = Checker()
        self._markdown = MarkdownEngine()
        self._questions = QuestionTexts()
        self._analyses: Analyses = {}
        self._known: dict[str, Manifest] = {}  # the manifests of the live folder and its twin
        self._folder_key = ""
        self._env: Any = None  # kept with its compiled templates by a long-running Builder
        self._templates = ""  # TemplateInfo.signature of the templates it compiled
        self._watchdog = Watchdog(settings.render_seconds)  # stops an output that renders too long

    # --- the previous builds --------------------------------------------------------------------

    def _command(self) -> str:
        """Everything besides the site's files that decides the output."""
        # Today's date too: a page dated tomorrow is published by tomorrow's build, whose files
        # are the same as today's.
        today = "future" if self.future else dt.date.today().isoformat()
        return digest(code_digest(), repr(self.settings), str(self.drafts), str(self.cards), today,
                      repr(sorted((self.extra_context or {}).items())))

    def manifest(self, build_id: str | None) -> Manifest | None:
        """What build `build_id` into this output folder made; None when it is not known (any more)."""
        if not build_id:
            return None
        if build_id not in self._known:
            data = self.manifests.get_plain(f"{self._folder_key}-{build_id}")
            manifest = Manifest.from_plain(data) if isinstance(data, dict) else None
            if manifest is None or manifest.build_id != build_id:
                return None
            self._known[build_id] = manifest
        return self._known[build_id]

    def _unchanged(self, live: Manifest, command: str, sources: dict[str, list[int]], target: Path) -> bool:
        """True when no file of the site changed and the output folder is as that build left it."""
        if live.command != command or live.sources != sources:
            return False
        if any(_racy(stamp, live.started_ns) for stamp in sources.values()):
            return False
        records = list(live.outputs.items()) + list(live.copies.items())
        base = os.fspath(target)  # joined as text: a no-op build asks about every file
        return all(intact(f"{base}/{rel}", record) for rel, record in records)

    def _folder(self, target: Path, live: Manifest | None, build_id: str) -> Fresh | Reuse:
        """Update the twin when its record is known; otherwise start a fresh folder."""
        twin = Twin(target)
        state = build_id_of(twin.path) if live is not None else None
        based_on, _, dirty = (state or "").partition(" ")
        held = self.manifest(based_on)
        if live is not None and held is not None and held.build_id != live.build_id:
            return Reuse(twin, held, target, live, build_id, dirty=bool(dirty) or self.cards)
        return Fresh(Staging(target, build_id), target, live)

    # --- building -------------------------------------------------------------------------------

    def build(self) -> BuildResult:
        started, started_ns = time.perf_counter(), time.time_ns()
        target = check_output_dir(self.settings, self.output)
        self._folder_key = digest(str(target))[:16]  # names this output folder's manifests in the cache
        # A long-running Builder keeps the site in memory: a full collection during a rebuild
        # would walk all of it. (`sitegen build` turns the collector off for its whole process.)
        paused = collector_paused() if self._memo is not None else nullcontext()
        with one_build_at_a_time(self.settings.root, target), paused:
            return self._build(target, started, started_ns)

    def _build(self, target: Path, started: float, started_ns: int) -> BuildResult:
        command = self._command()
        stats: dict[str, os.stat_result] = {}
        sources = scan(self.settings, stats)
        live = self.manifest(build_id_of(target))
        if live is not None and self._unchanged(live, command, sources, target):
            return self._replay(live, target, started)
        memo = self._memo or stored_memo(self.settings)
        this = _Run(target, started, started_ns, command, sources, stats, live, memo,
                    self._render_ahead(sources, memo))
        try:
            result = self._checked_build(this)
        finally:
            if this.ahead is not None:
                this.ahead.stop()
            this.memo.save()  # once the build is done: it keeps what checking and rendering derived
        result.seconds = time.perf_counter() - started  # the time reported is the time waited
        return result

    def _render_ahead(self, sources: dict[str, list[int]], memo: PageMemo) -> RenderAhead | None:
        """When many pages are new to the build (a cold one), start rendering their Markdown now,
        on the core that loading and checking leave idle (see ahead.py)."""
        if self.jobs <= 1:
            return None
        prefix = site_path(self.settings.content_path, self.settings.root) + "/"
        new = [rel[len(prefix):] for rel in sources
               if rel.startswith(prefix) and rel.endswith(".md") and rel[len(prefix):] not in memo]
        return RenderAhead.start(self.settings.content_path, self.settings.content_dir, new, self.cache,
                                 self._markdown, first=self._compile_templates, watchdog=self._watchdog)

    def _checked_build(self, this: _Run) -> BuildResult:
        size = self.settings.card_size
        more = (lambda site: card_claims(site, size)) if self.cards else None  # their files are outputs too
        checked = self._checker.check(self.settings, drafts=self.drafts, memo=this.memo, stats=this.stats,
                                      future=self.future, more_outputs=more)
        if checked.failed(self.strict):
            raise ContentError(checked.diagnostics, checked.pages)
        site = checked.site
        if this.ahead is not None:
            this.ahead.first_done()  # the templates it compiled and analysed are in the cache
        renderer, answers = self._renderer(site, this.sources)
        manifest = Manifest(uuid.uuid4().hex, digest(this.command, str(answers.templates.raw)), answers.state,
                            command=this.command, sources=this.sources, started_ns=this.started_ns,
                            pages=checked.pages,
                            warnings=[d.to_json() for d in checked.diagnostics],
                            scheduled=sorted(p.file for p in checked.content.scheduled))
        rendered, changed, extra = self._assemble(this, renderer, answers, manifest)
        manifest.files = len(manifest.outputs) + len(manifest.copies) + extra
        self._save(manifest, keep={manifest.build_id, this.live.build_id if this.live else ""})
        if self._bodies is not None:  # keep only the bodies the site still has
            live_bodies = {body_key(p) for p in site.pages}
            self._bodies = {k: v for k, v in self._bodies.items() if k in live_bodies}
        return BuildResult(this.target, checked.pages, manifest.files, time.perf_counter() - this.started,
                           checked.diagnostics, rendered=rendered, changed=changed, scheduled=manifest.scheduled)

    def _environment(self) -> Any:
        """The Jinja environment, its templates compiled once and kept in the cache (see TemplateCode)."""
        env = environment(self.settings)
        env.bytecode_cache = template_code()
        # A one-shot build's templates cannot change under it: no stat of the file at each use
        # (six per page). A Builder that lives on keeps checking, and empties the cache when any
        # template's text changes (_renderer).
        env.auto_reload = self._memo is not None
        return env

    def _compile_templates(self) -> None:
        """Analyse and compile every template into the cache, where the build will find them: the
        render-ahead process does this first, on the core loading leaves idle."""
        env = self._environment()
        TemplateInfo(env, self.templates, self._analyses)
        _load_templates(env)

    def _renderer(self, site: Site, sources: dict[str, list[int]]) -> tuple[Renderer, Answers]:
        bodies = Bodies({p.source: p for p in site.pages}, self.cache, self._markdown, self._bodies)
        links = None
        if self.cards:  # pages link their card, deck and pin only when the build makes them
            from sitegen.cards.paths import CardLinks

            links = CardLinks(site)
        env = self._env or self._environment()
        if self._memo is not None:
            self._env = env
        renderer = Renderer(site, bodies, {"cards": links, **(self.extra_context or {})}, env=env,
                            questions=self._questions)
        answers = Answers(site, TemplateInfo(env, self.templates, self._analyses), self._questions,
                          self._read_files(sources))
        if self._env is not None and answers.templates.signature != self._templates:
            # Jinja reloads a template when its file time changes; two saves in one clock tick keep it.
            self._env.cache.clear()
            self._templates = answers.templates.signature
        return renderer, answers

    def _read_files(self, sources: dict[str, list[int]]) -> dict[str, list[int]]:
        """Of the files the build reads (`scan`), those besides pages and templates whose content a
        render may read: content/'s other files and the static files (images, for their size)."""
        root = self.settings.root
        folders = tuple(site_path(f, root) + "/" for f in (self.settings.content_path,
                                                                 *theme.folders(self.settings, "static")))
        return {rel: stamp for rel, stamp in sources.items() if rel.startswith(folders) and not rel.endswith(".md")}

    def _assemble(self, this: _Run, renderer: Renderer, answers: Answers,
                  manifest: Manifest) -> tuple[list[str], list[str], int]:
        """Render what changed, fill the folder to swap in, swap it in (when anything differs).
        Return the rendered paths, the changed paths and how many files the cards step made."""
        # Outputs are reused only when nothing global changed; equal bytes are kept either way.
        live = this.live
        reusable = live if live is not None and live.global_digest == manifest.global_digest else None
        folder = self._folder(this.target, live, manifest.build_id)
        extra = 0
        try:
            rendered, writes, unresolved = self._render(this, renderer, answers, reusable, folder, manifest)
            changed = self._changed(live, manifest)
            if isinstance(folder, Fresh) and live is not None and not (changed or writes or self.cards):
                folder.abort()  # nothing differs from the live folder: keep it, and its id
                manifest.build_id = live.build_id
            else:
                folder.settle(set(manifest.outputs) | set(manifest.copies))
                if self.cards:
                    from sitegen.cards.pipeline import build_cards

                    extra = build_cards(renderer.site, folder.path, reporter=self.reporter, jobs=self.jobs)
                self._check_references(renderer, folder.path, manifest, live, rendered, changed, unresolved)
                folder.commit()
        except BaseException:
            folder.abort()
            raise
        return rendered, changed, extra

    def _check_references(self, renderer: Renderer, folder: Path, manifest: Manifest, live: Manifest | None,
                          rendered: list[str], changed: list[str], unresolved: list[tuple[str, str, str]]) -> None:
        """Stop before the swap when a generated file refers to a file the new output lacks (see
        references.py). The pages rendered were read as they were made (`unresolved`, against the
        planned outputs); of the others, only what changed is read, unless a file went away: then
        any page may have referred to it."""
        from sitegen.cards.paths import OWN

        present = set(manifest.outputs) | set(manifest.copies)
        base = os.fspath(folder)
        if self.cards:
            for own in OWN:
                for dirpath, _dirs, names in os.walk(f"{base}/{own}"):
                    inner = os.path.relpath(dirpath, base).replace(os.sep, "/")
                    present.update(f"{inner}/{name}" for name in names)
        whole = any(rel not in present for rel in changed)
        done = set(rendered)
        files = {}
        for rel in sorted(present if whole else changed):
            if rel.endswith(SCANNED) and rel not in done and (
                    rel in manifest.outputs or (rel.startswith("static/") and rel in manifest.copies)):
                with open(f"{base}/{rel}", "rb") as handle:
                    files[rel] = handle.read()
        # Without cards, the pages' card links (the preview's) point at files made elsewhere.
        skip = () if self.cards else tuple(f"{own}/" for own in OWN)
        found: dict[str, list[tuple[str, str]]] = {}  # one error per missing file: a template makes many pages
        for rel, ref, path in [*unresolved, *broken(files, present, self.settings.base_url, skip)]:
            if not resolves(path, present, skip):  # the cards' files exist by now
                found.setdefault(path, []).append((rel, ref))
        if found:
            raise ContentError([self._broken_reference(renderer, *where[0], path, len(where) - 1)
                                for path, where in found.items()], len(renderer.site.pages))

    def _broken_reference(self, renderer: Renderer, rel: str, ref: str, path: str, more: int) -> Diagnostic:
        """The error for one broken reference, at the template line that names the missing path
        when one does (else the top of the page's template), or at the static file's line."""
        import jinja2.meta

        from sitegen.render.pages import template_diagnostic

        settings = self.settings
        page = next((p for p in renderer.site.pages if p.output_file == rel), None)
        made_by = f" (the page of {page.file})" if page is not None else ""
        others = f" and {more} other file{'s' if more > 1 else ''}" if more else ""
        message = f"{rel}{made_by}{others} refer{'' if others else 's'} to {ref}, but the new output has no {path}"
        hint = ("make that file (in static/ or content/) or fix the reference; nothing was published, "
                "the output folder keeps the last good build")
        if rel.startswith("static/"):
            files = [theme.find(settings, "static", rel[len("static/"):])]
        else:
            env = renderer.env
            template = next(t for p, t, _c in renderer.jobs() if p == rel)
            names, todo = [], [template]
            while todo:  # the template and every template it extends, includes or imports
                name = todo.pop(0)
                if name in names:
                    continue
                names.append(name)
                source = env.loader.get_source(env, name)[0]
                todo += [n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n]
            files = [theme.find(settings, "templates", name) for name in names]
        needle = posixpath.relpath(path, posixpath.dirname(rel)) if not ref.startswith(("/", "http")) else path
        for file in files:
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                if needle in line:
                    return template_diagnostic(file, number, message, settings, "OUT001", hint)
        return template_diagnostic(files[0], 1, message, settings, "OUT001", hint)

    def _replay(self, live: Manifest, target: Path, started: float) -> BuildResult:
        """The previous build stands: report what it reported."""
        warnings = [Diagnostic(**d) for d in live.warnings]
        if count(warnings, self.strict)[0]:
            raise ContentError(warnings, live.pages)
        return BuildResult(target, live.pages, live.files, time.perf_counter() - started, warnings,
                           scheduled=live.scheduled)

    @staticmethod
    def _changed(live: Manifest | None, manifest: Manifest) -> list[str]:
        """Output paths whose bytes differ from the live folder's: new, rewritten or removed."""
        before = {**live.outputs, **live.copies} if live is not None else {}
        after = {**manifest.outputs, **manifest.copies}
        changed = [rel for rel, o in after.items() if rel not in before or before[rel].digest != o.digest]
        return sorted(changed + [rel for rel in before if rel not in after])

    def _render(self, this: _Run, renderer: Renderer, answers: Answers, reusable: Manifest | None,
                folder: Fresh | Reuse, manifest: Manifest) -> tuple[list[str], int, list[tuple[str, str, str]]]:
        """Render the outputs whose inputs changed and put every output and copied file into
        `folder`; return the rendered paths, how many files were written, and the references of
        the rendered pages that name no planned output (cards are made later). `manifest.outputs`
        gets each output and its dependency keys, `manifest.keys` and `.values` the keys and their
        answers (those of the last build for the outputs it kept); `manifest.copies` the
        copied files. Copies share the workers with the pages: on a fresh folder they are a
        sixth of the work. The render-ahead process, if any, works on until rendering starts."""
        live = this.live
        stale = reusable.stale(answers) if reusable is not None else set()
        todo = []
        writes = 0
        if reusable is not None:  # the outputs kept keep their keys' indices and answers
            manifest.keys, manifest.values = list(reusable.keys), list(reusable.values)
            manifest.compacted = reusable.compacted
        table = KeyTable(manifest.keys, manifest.values)  # interned as outputs come: this process waits anyway
        base = os.fspath(this.target)  # joined as text: an edit's build asks about every output
        planned: set[str] = set()  # every output and copy of this build, for the pages' references
        for path, template, context in renderer.jobs():
            planned.add(path)
            old = reusable.outputs.get(path) if reusable is not None else None
            live_file = f"{base}/{path}"
            if old is not None and old.keys is not None and stale.isdisjoint(old.keys) and intact(live_file, old):
                size, mtime, wrote = folder.put(path, old.digest, live_file)
                writes += wrote
                manifest.outputs[path] = Output(old.keys, old.digest, size, mtime)
            else:
                todo.append((path, template, context))
        copies = []  # files to read: the others are as the last build read them, and cheap to place
        for rel, source, known in self._copies(renderer.site, manifest, live):
            planned.add(rel)
            if known is None:
                copies.append((rel, source))
                continue
            made = self._copy(folder, rel, source, known)
            manifest.copies[rel] = Output(None, made.digest, made.size, made.mtime)
            writes += made.wrote

        jobs = len(todo) + len(copies)
        if todo and start_method(jobs, self.jobs) == "fork":
            _load_templates(renderer.env)  # once, here: forked workers would each compile or load them
            # Now, while the render-ahead process still renders on the other core: the workers'
            # own derived values are theirs alone, and the records have all this one has.
            this.memo.save()

        def work(i: int) -> _Made:
            if i >= len(todo):
                return self._copy(folder, *copies[i - len(todo)], None)
            path, template, context = todo[i]
            try:
                with self._watchdog.limit():
                    text, keys = renderer.produce(template, context)
            except TooSlow:
                return _Made(path, None, [], error=renderer.too_slow(path, template))
            except Exception as exc:  # a template error: report it with its file and line
                return _Made(path, None, [], error=renderer.failure(exc))
            data = text.encode("utf-8")
            made = digest(data)
            size, mtime, wrote = folder.put(path, made, data)
            return _Made(path, keys, [answers.value(k) for k in keys or ()], made, size, mtime, wrote,
                         bodies=bodies.take_fresh(),
                         unresolved=references.unresolved(path, data, planned) if path.endswith(SCANNED) else [])

        references = References(self.settings.base_url)

        errors: list[Diagnostic] = []
        unresolved: list[tuple[str, str, str]] = []
        bodies: Bodies = renderer.bodies  # type: ignore[assignment]
        fresh: list[tuple[str, bytes]] = []
        if this.ahead is not None:
            this.ahead.stop()  # the render workers take over: they find what it rendered in the cache
        try:
            for done, made in enumerate(run(work, jobs, self.jobs), 1):
                self.reporter.progress("rendering", done, jobs)
                fresh += made.bodies
                unresolved += made.unresolved
                if len(fresh) >= 256:  # stored as they come: 10,000 bodies held to the end weigh 100 MB
                    self.cache.put_many(fresh)
                    fresh = []
                if made.error is not None:
                    errors.append(made.error)
                    continue
                keys = table.ids(made.keys, made.values) if made.keys is not None else None
                record = Output(keys, made.digest, made.size, made.mtime)
                (manifest.copies if made.copy else manifest.outputs)[made.path] = record
                writes += made.wrote
        finally:
            self._watchdog.release()  # no thread left behind: the cards' workers fork next
        self.cache.put_many(fresh)  # even when a template failed: the Markdown is good
        if errors:
            raise ContentError(sorted(set(errors)), len(renderer.site.pages))
        manifest.compacted = table.compact(manifest.outputs.values(), manifest.compacted)
        return [path for path, _t, _c in todo], writes, sorted(unresolved)

    @staticmethod
    def _copy(folder: Fresh | Reuse, rel: str, source: str, made: str | None) -> _Made:
        """Put one file copied as it is; `made` is its digest when the last build read it unchanged.
        A file read now is read once: for its digest and for its bytes."""
        data: bytes | str = source
        if made is None:
            with open(source, "rb") as handle:
                data = handle.read()
            made = digest(data)
        size, mtime, wrote = folder.put(rel, made, data)
        return _Made(rel, None, [], made, size, mtime, wrote, copy=True)

    def _copies(self, site: Site, manifest: Manifest, live: Manifest | None) -> Iterator[tuple[str, str, str | None]]:
        """(output path, source file, its digest if known) of every file copied as it is: static
        files go under static/, images and other files in content/ keep their paths. The digest is
        known when the file is as the last build read it (same size and time, not racy), and so
        is the site's override of a theme file, or its absence. Paths are joined as text: a site
        has hundreds of images, and every build places each."""
        def entry(rel: str, source: str, known: str, *shadowed: str) -> tuple[str, str, str | None]:
            old = live.copies.get(rel) if live is not None else None
            stat = manifest.sources.get(known)
            if old is None or live is None or stat is None or live.sources.get(known) != stat \
                    or _racy(stat, live.started_ns) \
                    or any(live.sources.get(key) != manifest.sources.get(key) for key in shadowed):
                return rel, source, None
            return rel, source, old.digest

        root = self.settings.root
        layers = [(static, site_path(static, root)) for static in map(os.fspath, theme.folders(self.settings, "static"))]
        placed: set[str] = set()
        for static, prefix in layers:  # the site's own first: it wins
            files: dict[str, os.stat_result] = {}
            tree(static, root, files, [], skip=everything_kept)  # the links it leaves out failed the check
            for inner in files:
                rel = "static/" + inner
                if rel not in placed:
                    placed.add(rel)
                    yield entry(rel, f"{static}/{inner}", f"{prefix}/{inner}",
                                *(f"{other}/{inner}" for _s, other in layers if other != prefix))
        content = os.fspath(self.settings.content_path)
        prefix = site_path(content, root)
        for rel in sorted(site.assets):
            yield entry(rel, f"{content}/{rel}", f"{prefix}/{rel}")

    def _save(self, manifest: Manifest, keep: set[str]) -> None:
        """Keep the manifest in memory and in the cache, and forget older builds'."""
        prefix = f"{self._folder_key}-"
        self.manifests.put_plain(prefix + manifest.build_id, manifest.to_plain())
        # Only the live folder's build and its twin's are worth keeping (and remembering).
        self.manifests.delete_except(prefix, {prefix + k for k in keep})
        self._known = {k: m for k, m in self._known.items() if k in keep}
        self._known[manifest.build_id] = manifest


def build(settings: Settings, *, drafts: bool = False, strict: bool = False, cards: bool = True,
          output: Path | None = None, reporter: Reporter | None = None, jobs: int | None = None,
          future: bool = False) -> BuildResult:
    """Check, then build the site into its output folder (one shot: nothing is kept in memory)."""
    from sitegen.parallel import default_jobs

    builder = Builder(settings, drafts=drafts, strict=strict, cards=cards, output=output, reporter=reporter,
                      jobs=jobs or default_jobs(), keep_in_memory=False, future=future)
    return builder.build()
