"""No module-level mutable state: what one build (or check) remembers for the next belongs to
an object its caller owns (a Builder, a Checker, a PageMemo), never to a module that a later
stage writes into. Module-level dicts, lists and sets are allowed only as constants, named here."""

from __future__ import annotations

import ast
from pathlib import Path

import sitegen

PACKAGE = Path(sitegen.__file__).parent

# (module, name): why it is a constant. Anything else this test finds is state.
ALLOWED = {
    ("sitegen.cards.fonts", "PACKAGES"): "the Debian package of each font family, for hints",
    ("sitegen.cards.fonts", "GENERIC"): "CSS's generic family names",
    ("sitegen.cards.sizes", "SIZES"): "the card sizes",
    ("sitegen.check.headings", "_ESCAPABLE"): "Markdown's backslash-escapable characters",
    ("sitegen.check.rules", "SEVERITY"): "each code's severity",
    ("sitegen.check.outputs", "SITE_FILES"): "the files the renderer writes besides pages, and what each is",
    ("sitegen.check.rules", "_TARGET_TYPES"): "which pages each reference key may point at",
    ("sitegen.check.rules", "RULES"): "the rules, registered by @rule as the module is imported",
    ("sitegen.config", "SETTABLE"): "the settings' names",
    ("sitegen.content.scaffold", "FOLDERS"): "the folder of each page type",
    ("sitegen.content.scaffold", "_SKIP"): "keys `sitegen new` writes itself",
    ("sitegen.content.schema", "KEYS"): "the front-matter schema",
    ("sitegen.content.site", "TAXONOMIES"): "the taxonomies besides tags: folder and title",
    ("sitegen.content.stored", "_CLASSES"): "page classes by stored kind",
    ("sitegen.content.stored", "_KINDS"): "stored kind by page class",
    ("sitegen.content.stored", "_FIELDS"): "how each page field is stored",
    ("sitegen.content.stored", "_STORED"): "each page class's stored fields",
    ("sitegen.content.stored", "_TIMES"): "the front-matter time types",
    ("sitegen.render.pages", "_INDEXES"): "each taxonomy's index title, term name and prefix",
    ("sitegen.render.deps", "_RAW"): "page attributes holding raw source",
    ("sitegen.content.body", "EXTENSIONS"): "the Markdown extensions",
    ("sitegen.content.body", "EXTENSION_CONFIGS"): "their settings",
    ("sitegen.cards.jobs", "LOG_SESSIONS"): "the sessions a training log has room for",
    ("sitegen.check.headings", "CHECKED_VERSIONS"): "the Markdown versions the heading scanner is tested on",
    ("sitegen.render.markdown_speed", "CHECKED_VERSIONS"): "the Markdown versions the speed-up is tested on",
    ("sitegen.render.markdown_speed", "_NEEDLES"): "texts each inline pattern needs",
    ("sitegen.render.markdown_speed", "_BLOCK_NEEDLES"): "texts each block processor needs",
    # Memoized functions whose answers are fixed for the life of the process.
    ("sitegen.cache", "code_digest"): "a digest of the installed code",
    ("sitegen.check.headings", "scanner_checked"): "whether the installed Markdown is one the scanner knows",
    ("sitegen.cards.fonts", "_fontconfig"): "the fontconfig library, loaded once",
    ("sitegen.cards.fonts", "match"): "the installed font fontconfig picks for a family",
    ("sitegen.cards.pdf", "_collector"): "the one handler of WeasyPrint's (process-wide) logger",
    ("sitegen.content.schema", "_resolve"): "a pure function of its arguments",
    ("sitegen.content.site", "_slug_of"): "a pure function of its argument (slugify)",
    ("sitegen.parallel", "_work"): "the work of a pool's worker process, set in the worker as it starts",
}
_MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque", "WeakKeyDictionary",
                  "WeakValueDictionary", "WeakSet", "lru_cache", "cache"}


def _called(node: ast.expr) -> str:
    while isinstance(node, ast.Call):  # lru_cache(maxsize=1)(function)
        node = node.func
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def module_state(source: str) -> list[str]:
    """Names of module-level mutable containers and memoized functions, and of globals rebound
    in a function, in `source`."""
    found = []
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            targets, value = [], None
        mutable = isinstance(value, (ast.Dict, ast.List, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)) or (
            isinstance(value, ast.Call) and _called(value) in _MUTABLE_CALLS)
        if mutable:
            found += [t.id for t in targets if isinstance(t, ast.Name)]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(_called(d) in ("lru_cache", "cache") for d in node.decorator_list):
                found.append(node.name)
    found += [name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names]
    return found


def test_the_finder_sees_each_kind_of_module_state() -> None:
    source = """
import functools, weakref
a = {}
b: list[int] = []
c = {x for x in ()}
d = weakref.WeakKeyDictionary()
e = functools.lru_cache(maxsize=8)(len)
CONSTANT = (1, 2)
f = None

@functools.lru_cache(maxsize=None)
def g(): ...

def h():
    global f
    f = 1
"""
    assert sorted(module_state(source)) == ["a", "b", "c", "d", "e", "f", "g"]


def test_no_module_level_mutable_state() -> None:
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.update((module, name) for name in module_state(path.read_text(encoding="utf-8")))
    assert sorted(found - ALLOWED.keys()) == [], "module-level state: give it to an object its caller owns"
    assert sorted(ALLOWED.keys() - found) == [], "allowed, but gone: remove it from ALLOWED"
