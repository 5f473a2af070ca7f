"""Reading a rendered page as its reader does: the links inside one part of it and the text
it shows, with the standard library's HTML parser (so tests assert what people read, not
the template's variables)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    def __init__(self, within_class: str | None, within_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.within_class, self.within_id = within_class, within_id
        self.depth = 0  # > 0 while inside the element asked for
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def _matches(self, attrs: dict[str, str | None]) -> bool:
        if self.within_id is not None:
            return attrs.get("id") == self.within_id
        if self.within_class is not None:
            return self.within_class in (attrs.get("class") or "").split()
        return True

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if attrs.get("id"):
            self.ids.add(attrs["id"] or "")
        if tag in _VOID:
            return
        if self.depth:
            self.depth += 1
        elif self._matches(attrs):
            self.depth = 1
        if self.depth and tag == "a":
            self._href, self._link_text = attrs.get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.depth:
            return
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._link_text).split())))
            self._href = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)
            if self._href is not None:
                self._link_text.append(data)


def read(html: str | bytes, *, within_class: str | None = None, within_id: str | None = None) -> _Reader:
    reader = _Reader(within_class, within_id)
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return reader


def links(html: str | bytes, *, within_class: str | None = None, within_id: str | None = None) -> list[tuple[str, str]]:
    """(href, link text) of every link inside the elements with that class or id."""
    return read(html, within_class=within_class, within_id=within_id).links


def text(html: str | bytes, *, within_class: str | None = None, within_id: str | None = None) -> str:
    """The words shown inside the element (the whole page by default), whitespace collapsed."""
    return re.sub(r"\s+", " ", "".join(read(html, within_class=within_class, within_id=within_id).text)).strip()


def ids(html: str | bytes) -> set[str]:
    return read(html).ids
