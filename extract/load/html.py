"""HTML -> the visible text a reader sees (scripts, styles and hidden parts removed)."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_INVISIBLE = ("script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe", "object", "svg")
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "dt",
    "dd",
    "dl",
    "pre",
    "blockquote",
    "td",
    "th",
}


def visible_text(data: bytes) -> str:
    """Text content with block elements on their own lines and list items bulleted."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    for node in root.iter(*_INVISIBLE):
        node.drop_tree()
    for node in root.xpath("//*[@hidden or contains(translate(@style,' ',''),'display:none')]"):
        node.drop_tree()
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _BLOCK:
            parts.append("\n")
        if tag == "li":
            parts.append("* ")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK:
            parts.append("\n")

    walk(root)
    text = "".join(parts).replace("\u00a0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
