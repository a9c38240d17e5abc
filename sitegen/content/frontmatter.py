"""Split a Markdown file into YAML front matter and body, keeping the file position of every value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's C loader is ~10x faster than the pure-Python one; both are the *safe* loader."""

    def construct_yaml_timestamp(self, node: yaml.Node):  # type: ignore[override]
        # PyYAML raises a bare ValueError, without a position, for a date such as 2026-02-30.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date ({exc})", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

Path_ = tuple  # a path into the front matter, e.g. ("faults", 1, "fix")


class FrontMatterError(Exception):
    def __init__(self, line: int, column: int, message: str, hint: str):
        super().__init__(message)
        self.line, self.column, self.message, self.hint = line, column, message, hint


@dataclass
class FrontMatter:
    data: dict[str, Any]
    # 1-based (line, column) in the file of each value, and of each mapping key.
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # Where a text value's first character is, when not where its value starts (a quoted text, a
    # block under its key) or when its lines are not the file's: (line, column, whether the text's
    # lines and columns follow the file's from there). Plain texts on one line are not listed.
    texts: dict[Path_, tuple[int, int, bool]] = field(default_factory=dict)

    def text_pos(self, path: Path_, line: int, column: int) -> tuple[int, int]:
        """Where in the file the character at `line` (0-based) and `column` (1-based) of the text
        at `path` is; the text's start where YAML joined its lines (folded, or plain over lines)."""
        start, first, exact = self.texts.get(path) or (*self.pos(*path), True)
        return (start + line, first + column - 1) if exact else (start, first)

    def pos(self, *path: Any) -> tuple[int, int]:
        """Where the value at `path` starts; falls back to the closest enclosing value."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


@dataclass
class SourceFile:
    front: FrontMatter
    body: str
    body_line: int  # 1-based line of the file where the body starts


def _is_fence(line: str) -> bool:
    return line.rstrip() == "---"


def split(text: str) -> SourceFile:
    """Parse a page's text; raises FrontMatterError with a file position."""
    front, body, end = fenced(text)
    return SourceFile(front=parse_yaml(front, first_line=2), body=body, body_line=end + 2)


def body_of(text: str) -> str:
    """The page's Markdown body, as `split` finds it, without parsing the front matter."""
    return fenced(text)[1]


# A line closing the front matter: '---' or '...', then nothing but spaces (as str.rstrip sees them).
_CLOSING = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


def fenced(text: str) -> tuple[str, str, int]:
    """The front matter's text, the body, and the index of the line closing the front matter."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    newline = text.find("\n")
    if not _is_fence(text if newline < 0 else text[:newline]):
        raise FrontMatterError(
            1, 1, "the file does not start with front matter",
            "start it with a '---' line, the page's keys (at least 'type' and 'title'), and a closing '---' line",
        )
    closing = _CLOSING.search(text, newline + 1) if newline >= 0 else None
    if closing is None:
        raise FrontMatterError(
            1, 1, "the front matter is never closed",
            "add a line with only '---' after the last front-matter key",
        )
    start, at, end = newline + 1, closing.start(), closing.end()
    return text[start:at - 1], text[end + 1:], text.count("\n", 0, at)


def parse_yaml(source: str, first_line: int) -> FrontMatter:
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return FrontMatter(data={}, values={(): (first_line, 1)})
        front = FrontMatter(data={})
        data = _walk(node, (), front, first_line, set(), loader, source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + first_line, mark.column + 1) if mark else (first_line, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise FrontMatterError(
            line, col, f"front matter is not valid YAML: {problem}",
            "check the indentation and quote values that contain ':' or start with '[', '{', '*', '&' or '#'",
        ) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, 1, f"front matter is not valid YAML: {exc}", "fix the YAML") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        line, col = front.pos()
        raise FrontMatterError(
            line, col, "front matter must be a mapping of keys to values",
            "write one 'key: value' per line, e.g. 'title: Dowel hip hinge'",
        )
    front.data = data
    return front


def _text_start(node: yaml.ScalarNode, where: tuple[int, int], source: str) -> tuple[int, int, bool]:
    """FrontMatter.texts's entry for a text that is not plain on one line."""
    line, column = where
    start, end = node.start_mark, node.end_mark
    if node.style in ("|", ">"):  # a block: its lines under the indicator, all at one indentation
        lines = source.split("\n")[start.line + 1:end.line + 1]
        first = next((text for text in lines if text.strip()), "")
        return line + 1, len(first) - len(first.lstrip(" ")) + 1, node.style == "|"
    quoted = node.style in ("'", '"')
    # Quoted on one line and without escapes, its text is the file's, between the quotes.
    same = start.line == end.line and (not quoted or end.column - start.column - 2 == len(node.value))
    return line, column + quoted, same


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _walk(node: yaml.Node, path: Path_, front: FrontMatter, first_line: int, seen: set[int], loader: Any,
          source: str) -> Any:
    """Record the position of every value and build the value, in one pass (a second pass
    through PyYAML's constructor costs a third of reading a site); refuse aliases (they can blow
    up memory) and duplicate keys. Texts, mappings and lists are built here, everything else
    (numbers, dates, true/false, explicit tags) by PyYAML's safe constructor."""
    where = (node.start_mark.line + first_line, node.start_mark.column + 1)
    if id(node) in seen:
        raise FrontMatterError(
            *where, "YAML anchors and aliases ('&name', '*name') are not allowed in front matter",
            "write the value out in full",
        )
    seen.add(id(node))
    front.values[path] = where
    if isinstance(node, yaml.MappingNode):
        mapping: dict = {}
        for key_node, value_node in node.value:
            key_at = (key_node.start_mark.line + first_line, key_node.start_mark.column + 1)
            if key_node.tag != _STR:  # 1:, true:, ~: or <<: would not be a key name
                shown = f"'{key_node.value}'" if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                raise FrontMatterError(*key_at, f"key {shown} is not a name",
                                       "write keys as words, e.g. 'title:'; quote the key if it must be a number")
            key = key_node.value
            if key in mapping:
                raise FrontMatterError(*key_at, f"key '{key}' appears twice", "keep one of the two lines")
            front.keys[path + (key,)] = key_at
            mapping[key] = _walk(value_node, path + (key,), front, first_line, seen, loader, source)
        if node.tag == _MAP:
            return mapping
    elif isinstance(node, yaml.SequenceNode):
        items = [_walk(item, path + (index,), front, first_line, seen, loader, source)
                 for index, item in enumerate(node.value)]
        if node.tag == _SEQ:
            return items
    elif node.tag == _STR:
        if node.style or node.end_mark.line != node.start_mark.line:
            front.texts[path] = _text_start(node, where, source)
        return node.value
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError):  # a number of more than 4,300 digits, say
        raise FrontMatterError(*where, f"the value '{str(node.value)[:20]}…' cannot be read as a number or date",
                               "write a shorter number, or quote the value to keep it as text") from None
