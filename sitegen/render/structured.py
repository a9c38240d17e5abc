"""Structured data: the schema.org JSON-LD blocks and the breadcrumb trail of each page.

Every value comes from the checked site and the page's rendered body; templates only place
the blocks (`_jsonld.html`) and the visible trail (`_breadcrumbs.html`), which are made from
the same list so the two never disagree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import unescape
from typing import Any, Callable

from sitegen.content.model import Count, Guide, Movement, Page

CONTEXT = "https://schema.org"


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str  # root-relative, for the visible link
    absolute: str  # for the BreadcrumbList


def to_script(data: dict[str, Any]) -> str:
    """JSON for a <script> element: '<', '>' and '&' escaped so no text can end the element."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def breadcrumb_list(crumbs: list[Crumb]) -> dict[str, Any]:
    return {"@context": CONTEXT, "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": i, "name": c.name, "item": c.absolute} for i, c in enumerate(crumbs, 1)]}


def website(name: str, url: str, description: str) -> dict[str, Any]:
    data = {"@context": CONTEXT, "@type": "WebSite", "name": name, "url": url}
    return {**data, "description": description} if description else data


def faq_page(questions: list[tuple[str, str]]) -> dict[str, Any]:
    """`questions`: (question, answer as HTML): the answer's text keeps its markup, as schema.org allows."""
    return {"@context": CONTEXT, "@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a in questions]}


_OL = re.compile(r"<ol(?:\s[^>]*)?>(.*?)</ol>", re.S)
_LI = re.compile(r"<li(?:\s[^>]*)?>(.*?)</li>", re.S)
_TAG = re.compile(r"<[^>]+>")


def ordered_steps(body_html: str) -> list[str]:
    """The items of the body's first ordered list, as plain text ([] when it has none)."""
    found = _OL.search(body_html)
    if not found:
        return []
    items = (" ".join(unescape(_TAG.sub("", li)).split()) for li in _LI.findall(found.group(1)))
    return [item for item in items if item]


def _quantity(count: Count, unit: str) -> dict[str, Any]:
    value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": unit}
    if count.high is None:
        value["value"] = count.low
    else:
        value.update(minValue=count.low, maxValue=count.high)
    return value


def how_to(page: Movement, body_html: str, url: str, image: str | None) -> dict[str, Any]:
    """A drill or exercise: a HowTo (its steps) that is also an ExercisePlan (its dose)."""
    texts = ordered_steps(body_html) or page.cues
    steps = [{"@type": "HowToStep", "position": i, "text": t} for i, t in enumerate(texts, 1)]
    if page.mastery:  # the gate is the last step: passing it is what finishing means
        steps.append({"@type": "HowToStep", "position": len(steps) + 1, "name": "Move on when",
                      "text": page.mastery})
    data: dict[str, Any] = {"@context": CONTEXT, "@type": ["HowTo", "ExercisePlan"], "name": page.title,
                            "url": url, "step": steps, "exerciseType": "Strength training"}
    if page.summary:
        data["description"] = page.summary
    if image:
        data["image"] = image
    if page.equipment:
        data["tool"] = [{"@type": "HowToTool", "name": e} for e in page.equipment]
    if page.reps is not None:
        if page.reps.unit == "s":
            data["activityDuration"] = _quantity(page.reps, "seconds")
        else:
            data["repetitions"] = _quantity(page.reps, "repetitions")
    if page.sets is not None:
        data["workload"] = _quantity(page.sets, "sets")
    if page.muscles:
        data["about"] = [{"@type": "AnatomicalStructure", "name": m} for m in page.muscles]
    return data


def article(page: Page, url: str, image: str, author: str, publisher: str) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": CONTEXT, "@type": "Article", "headline": page.title, "url": url,
                            "mainEntityOfPage": url, "image": image,
                            "author": {"@type": "Person" if author else "Organization", "name": author or publisher},
                            "publisher": {"@type": "Organization", "name": publisher}}
    if page.date:
        data["datePublished"] = page.date.isoformat()
        data["dateModified"] = (page.updated or page.date).isoformat()
    if page.summary:
        data["description"] = page.summary
    return data


def item_list(name: str, pages: list[Page], absolute: Callable[[Page], str]) -> dict[str, Any]:
    return {"@context": CONTEXT, "@type": "ItemList", "name": name, "itemListOrder": "https://schema.org/ItemListOrderAscending",
            "numberOfItems": len(pages), "itemListElement": [
                {"@type": "ListItem", "position": i, "url": absolute(p), "name": p.title} for i, p in enumerate(pages, 1)]}


def page_blocks(page: Page, *, body_html: str, url: str, image: str, author: str, publisher: str,
                drills: list[Page], absolute: Callable[[Page], str]) -> list[dict[str, Any]]:
    """The JSON-LD blocks of one content page besides its breadcrumbs and FAQ."""
    if isinstance(page, Movement):
        return [how_to(page, body_html, url, image)]
    blocks = [article(page, url, image, author, publisher)]
    if isinstance(page, Guide) and drills:
        blocks.append(item_list(f"{page.title}: the drills in order", drills, absolute))
    return blocks
