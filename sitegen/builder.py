"""Incremental builds: render only what changed, write only what differs, swap in one step.

`.sitegen-cache/` in the site folder (safe to delete) keeps each page's rendered Markdown,
keyed by its body and the Markdown settings, and for each build a manifest of what every
output file was made from and holds (see incremental.py). A build asks which outputs'
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
the one-shot entry point the CLI uses. The output folder's twin is `output.twin_path(folder)`:
remove it with the folder.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .assemble import Fresh, Reuse, intact
from .build import BuildResult, check
from .cache import Cache, digest, json_bytes
from .config import Settings
from .diagnostics import Diagnostic, count
from .errors import ContentError
from .incremental import Answers, KeyTable, Manifest, Output, TemplateInfo, code_digest
from .loader import PageMemo, ignored
from .markdown import CONFIG_ID, Heading, Rendered, render
from .model import Page
from .output import Staging, Twin, build_id_of, check_output_dir
from .parallel import run
from .render import Renderer, environment
from .report import Reporter
from .site import Site

# A file whose time is this close to a build's start may change again within the same tick of
# the file system's clock, so an equal size and time do not prove it unchanged.
_RACY_NS = 1_000_000_000


class Bodies(Mapping):
    """Each page's rendered Markdown by source path: from memory, from the cache, or rendered now."""

    def __init__(self, pages: dict[str, Page], cache: Cache, memory: dict[str, Rendered] | None = None):
        self.pages = pages
        self.cache = cache
        self.memory = memory
        self.fresh: dict[str, tuple[Rendered, bytes]] = {}  # rendered here, for the caller to store in one go

    @staticmethod
    def key(body: str) -> str:
        return digest("markdown", CONFIG_ID, code_digest(), body)

    def __getitem__(self, source: str) -> Rendered:
        body = self.pages[source].body
        key = self.key(body)
        found = self.memory.get(key) if self.memory is not None else None
        if found is None and key in self.fresh:
            found = self.fresh[key][0]
        if found is None:
            found = self._stored(key)
            if found is None:
                found = render(body)
                self.fresh[key] = found, json_bytes([found.html, [[h.level, h.id, h.name] for h in found.headings]])
            if self.memory is not None:
                self.memory[key] = found
        return found

    def _stored(self, key: str) -> Rendered | None:
        entry = self.cache.get_json(key)
        try:
            html, headings = entry
            return Rendered(html, tuple(Heading(*h) for h in headings))
        except (TypeError, ValueError):
            return None

    def take_fresh(self) -> list[tuple[str, bytes]]:
        fresh, self.fresh = self.fresh, {}
        return [(key, data) for key, (_rendered, data) in fresh.items()]

    def __iter__(self) -> Iterator[str]:
        return iter(self.pages)

    def __len__(self) -> int:
        return len(self.pages)


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


def scan(settings: Settings) -> dict[str, list[int]]:
    """Size and time of every file the build reads: content, templates, static files, settings."""
    found: dict[str, list[int]] = {}
    root = str(settings.root)
    for folder in (settings.content_path, settings.templates_path, settings.static_path):
        for path, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not ignored(d)]
            rel = os.path.relpath(path, root)
            for name in names:
                if not ignored(name):
                    st = os.stat(os.path.join(path, name))
                    found[f"{rel}/{name}"] = [st.st_size, st.st_mtime_ns]
    settings_file = settings.root / settings.source
    if settings_file.is_file():
        st = settings_file.stat()
        found[settings.source] = [st.st_size, st.st_mtime_ns]
    return found


class Builder:
    """Builds one site into one output folder, again and again, redoing only what changed.

    `jobs` > 1 renders big batches in forked worker processes; the default of 1 suits callers
    that run threads (forking a threaded process is unsafe). `build()` uses every core."""

    def __init__(self, settings: Settings, *, drafts: bool = False, strict: bool = False, cards: bool = True,
                 output: Path | None = None, reporter: Reporter | None = None, jobs: int = 1,
                 extra_context: dict[str, Any] | None = None, keep_in_memory: bool = True):
        self.settings = settings
        self.drafts, self.strict, self.cards = drafts, strict, cards
        self.output = output
        self.reporter = reporter or Reporter()
        self.jobs = jobs
        self.extra_context = extra_context
        self.cache = Cache(settings.root, "markdown")
        self.manifests = Cache(settings.root, "builds")
        self._memo = PageMemo() if keep_in_memory else None
        self._bodies: dict[str, Rendered] | None = {} if keep_in_memory else None
        self._known: dict[str, Manifest] = {}  # the manifests of the live folder and its twin
        self._env: Any = None  # kept with its compiled templates by a long-running Builder
        self._templates = ""  # TemplateInfo.signature of the templates it compiled

    # --- the previous builds --------------------------------------------------------------------

    def _command(self) -> str:
        """Everything besides the site's files that decides the output."""
        return digest(code_digest(), repr(self.settings), str(self.drafts), str(self.cards),
                      repr(sorted((self.extra_context or {}).items())))

    def _manifest(self, build_id: str | None) -> Manifest | None:
        if not build_id:
            return None
        if build_id not in self._known:
            data = self.manifests.get_json(build_id)
            manifest = Manifest.from_json(data) if isinstance(data, dict) else None
            if manifest is None or manifest.build_id != build_id:
                return None
            self._known[build_id] = manifest
        return self._known[build_id]

    def _unchanged(self, live: Manifest, command: str, sources: dict[str, list[int]], target: Path) -> bool:
        """True when no file of the site changed and the output folder is as that build left it."""
        if live.command != command or live.sources != sources:
            return False
        if any(mtime + _RACY_NS >= live.started_ns for _size, mtime in sources.values()):
            return False
        records = list(live.outputs.items()) + list(live.copies.items())
        return all(intact(target / rel, record) for rel, record in records)

    def _folder(self, target: Path, live: Manifest | None, build_id: str) -> Fresh | Reuse:
        """Update the twin when its record is known; otherwise start a fresh folder."""
        twin = Twin(target)
        state = build_id_of(twin.path) if live is not None else None
        based_on, _, dirty = (state or "").partition(" ")
        held = self._manifest(based_on)
        if live is not None and held is not None and held.build_id != live.build_id:
            return Reuse(twin, held, target, live, build_id, dirty=bool(dirty) or self.cards)
        return Fresh(Staging(target, build_id), target, live)

    # --- building -------------------------------------------------------------------------------

    def build(self) -> BuildResult:
        started, started_ns = time.perf_counter(), time.time_ns()
        target = check_output_dir(self.settings, self.output)
        command = self._command()
        sources = scan(self.settings)
        live = self._manifest(build_id_of(target))
        if live is not None and self._unchanged(live, command, sources, target):
            return self._replay(live, target, started)
        checked = check(self.settings, drafts=self.drafts, memo=self._memo)
        if checked.failed(self.strict):
            raise ContentError(checked.diagnostics, checked.pages)
        site = checked.site
        bodies = Bodies({p.source: p for p in site.pages}, self.cache, self._bodies)
        links = None
        if self.cards:  # pages link their card, deck and pin only when the build makes them
            from .cards import CardLinks

            links = CardLinks(site)
        if self._memo is not None and self._env is None:
            self._env = environment(self.settings.templates_path)
        renderer = Renderer(site, bodies, {"cards": links, **(self.extra_context or {})}, env=self._env)
        answers = Answers(site, TemplateInfo(renderer.env))
        if self._env is not None and answers.templates.signature != self._templates:
            # Jinja reloads a template when its file time changes; two saves in one clock tick keep it.
            self._env.cache.clear()
            self._templates = answers.templates.signature
        manifest = Manifest(uuid.uuid4().hex, digest(command, str(answers.templates.raw)), answers.state,
                            command=command, sources=sources, started_ns=started_ns, pages=checked.pages,
                            warnings=[d.to_json() for d in checked.diagnostics])
        # Outputs are reused only when nothing global changed; equal bytes are kept either way.
        reusable = live if live is not None and live.global_digest == manifest.global_digest else None
        values: dict[str, str | None] = {}
        folder = self._folder(target, live, manifest.build_id)
        extra = 0
        try:
            rendered, writes = self._render(renderer, answers, reusable, target, folder, manifest, values)
            writes += self._copy(site, folder, manifest)
            changed = self._changed(live, manifest)
            if isinstance(folder, Fresh) and live is not None and not (changed or writes or self.cards):
                folder.abort()  # nothing differs from the live folder: keep it, and its id
                manifest.build_id = live.build_id
            else:
                folder.settle(set(manifest.outputs) | set(manifest.copies))
                if self.cards:
                    from .cards import build_cards

                    extra = build_cards(site, folder.path, reporter=self.reporter)
                folder.commit()
        except BaseException:
            folder.abort()
            raise
        manifest.files = len(manifest.outputs) + len(manifest.copies) + extra
        self._save(manifest, values, keep={manifest.build_id, live.build_id if live else ""})
        if self._bodies is not None:  # keep only the bodies the site still has
            live_bodies = {Bodies.key(p.body) for p in site.pages}
            self._bodies = {k: v for k, v in self._bodies.items() if k in live_bodies}
        return BuildResult(target, checked.pages, manifest.files, time.perf_counter() - started,
                           checked.diagnostics, rendered=rendered, changed=changed)

    def _replay(self, live: Manifest, target: Path, started: float) -> BuildResult:
        """The previous build stands: report what it reported."""
        warnings = [Diagnostic(**d) for d in live.warnings]
        if count(warnings, self.strict)[0]:
            raise ContentError(warnings, live.pages)
        return BuildResult(target, live.pages, live.files, time.perf_counter() - started, warnings)

    @staticmethod
    def _changed(live: Manifest | None, manifest: Manifest) -> list[str]:
        """Output paths whose bytes differ from the live folder's: new, rewritten or removed."""
        before = {**live.outputs, **live.copies} if live is not None else {}
        after = {**manifest.outputs, **manifest.copies}
        changed = [rel for rel, o in after.items() if rel not in before or before[rel].digest != o.digest]
        return sorted(changed + [rel for rel in before if rel not in after])

    def _render(self, renderer: Renderer, answers: Answers, reusable: Manifest | None, target: Path,
                folder: Fresh | Reuse, manifest: Manifest, values: dict[str, str | None]) -> tuple[list[str], int]:
        """Render the outputs whose inputs changed and put every output into `folder`; return the
        rendered paths and how many files were written. `manifest.outputs` gets each output and
        its dependency keys, `values` their answers."""
        stale = reusable.stale(answers) if reusable is not None else set()
        todo = []
        writes = 0
        for path, template, context in renderer.jobs():
            old = reusable.outputs.get(path) if reusable is not None else None
            if old is not None and old.keys is not None and stale.isdisjoint(old.keys) and intact(target / path, old):
                assert reusable is not None
                keys = [reusable.keys[i] for i in old.keys]
                values.update((reusable.keys[i], reusable.values[i]) for i in old.keys)
                size, mtime, wrote = folder.put(path, old.digest, target / path)
                writes += wrote
                manifest.outputs[path] = Output(keys, old.digest, size, mtime)  # type: ignore[arg-type]
            else:
                todo.append((path, template, context))

        def work(i: int) -> _Made:
            path, template, context = todo[i]
            try:
                text, keys = renderer.produce(template, context)
            except Exception as exc:  # a template error: report it with its file and line
                return _Made(path, None, [], error=renderer.failure(exc))
            data = text.encode("utf-8")
            made = digest(data)
            size, mtime, wrote = folder.put(path, made, data)
            return _Made(path, keys, [answers.value(k) for k in keys or ()], made, size, mtime, wrote,
                         bodies=bodies.take_fresh())

        errors: list[Diagnostic] = []
        bodies: Bodies = renderer.bodies  # type: ignore[assignment]
        fresh: list[tuple[str, bytes]] = []
        for done, made in enumerate(run(work, len(todo), self.jobs), 1):
            self.reporter.progress("rendering", done, len(todo))
            fresh += made.bodies
            if made.error is not None:
                errors.append(made.error)
                continue
            manifest.outputs[made.path] = Output(made.keys, made.digest, made.size, made.mtime)  # type: ignore[arg-type]
            writes += made.wrote
            if made.keys is not None:
                values.update(zip(made.keys, made.values))
        self.cache.put_many(fresh)  # even when a template failed: the Markdown is good
        if errors:
            raise ContentError(sorted(set(errors)), len(renderer.site.pages))
        return [path for path, _t, _c in todo], writes

    def _copy(self, site: Site, folder: Fresh | Reuse, manifest: Manifest) -> int:
        """Static files go under static/; images and other files in content/ keep their paths.
        Return how many files were written."""
        writes = 0
        for rel, source in self._copies(site):
            made = digest(source.read_bytes())
            size, mtime, wrote = folder.put(rel, made, source)
            writes += wrote
            manifest.copies[rel] = Output(None, made, size, mtime)
        return writes

    def _copies(self, site: Site) -> Iterator[tuple[str, Path]]:
        static = self.settings.static_path
        if static.is_dir():
            for folder, _dirs, names in os.walk(static):
                for name in names:
                    path = Path(folder) / name
                    yield "static/" + path.relative_to(static).as_posix(), path
        for rel in sorted(site.assets):
            yield rel, self.settings.content_path / rel

    def _save(self, manifest: Manifest, values: dict[str, str | None], keep: set[str]) -> None:
        """Intern the keys; keep the manifest in memory and in the cache, and forget older builds'."""
        table = KeyTable()
        for output in manifest.outputs.values():
            if output.keys is not None:
                output.keys = table.ids(output.keys)  # type: ignore[arg-type]
        manifest.keys = table.keys
        manifest.values = [values[k] for k in table.keys]
        self.manifests.put_json(manifest.build_id, manifest.to_json())
        for old in [k for k in self._known if k not in keep]:
            self.manifests.delete(old)
            del self._known[old]
        self._known[manifest.build_id] = manifest
