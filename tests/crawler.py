"""Walk the portal as one person would: from the home page, through every link, form (GET)
and download a page offers, and report what a person would trip on.

Used by tests/nhsportal/test_demo_crawl.py on the seed_demo data. A page type (URL
pattern) is visited at most `per_pattern` times, each time with other arguments, so the
walk covers every kind of page without reading all 43 sites' months one by one.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Leaving these would end the walk (sign-out) or are not the portal's pages.
SKIP_PREFIXES = ("/accounts/logout/", "/admin/logout/", "/static/", "/media/")
DOWNLOAD_TYPES = ("text/csv", "application/vnd.openxmlformats", "application/pdf", "application/json")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self.prose: list[str] = []  # the text outside <code>, which house style holds to its rules
        self._skip_text = 0
        self._in_code = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(attrs.get("action") or "")
        elif tag in ("script", "style"):
            self._skip_text += 1
        elif tag == "code":
            self._in_code += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip_text:
            self._skip_text -= 1
        elif tag == "code" and self._in_code:
            self._in_code -= 1

    def handle_data(self, data):
        if not self._skip_text:
            self.text.append(data)
            if not self._in_code:
                self.prose.append(data)


@dataclass
class Visit:
    url: str
    status: int
    referrer: str
    pattern: str
    content_type: str = ""


@dataclass
class CrawlReport:
    visits: list[Visit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def pattern_counts(self) -> Counter:
        return Counter(v.pattern for v in self.visits)


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.route


# Things a page must never say: a person rendered as nothing, a value Python printed raw.
UNTRUE_TEXT = [
    (re.compile(r"\b1 (months|sites|returns|days|weeks|versions|teams|milestones|questions|queries)\b"), "says '1 <plural>'"),
]
# docs/glossary.md, "How the portal writes": one formatter for numbers and times. The portal's
# own pages only: Django admin is the administrators' raw view of the rows.
HOUSE_STYLE = [
    (re.compile(r"(?<![\w.,/:#-])\d{5,}(?![\w.,/:-])"), "shows a number over 9,999 without thousands separators"),
    (re.compile(r"\b\d{1,2}:00 ?(am|pm)\b"), "writes ':00' on the hour (NHS style: 3pm)"),
    (re.compile(r"(?<![\w)-])-\d"), "writes a hyphen for a minus sign"),
]


def crawl(
    client: Client,
    *,
    start: str = "/",
    per_pattern: int | None = None,
    per_query_pattern: int = 8,
    per_download_pattern: int = 3,
    per_admin_pattern: int = 1,
    limit: int = 5000,
) -> CrawlReport:
    """Breadth-first from `start`. A link the portal offered that answers anything but a page
    or a download the person may have is a problem, and so is a 5xx anywhere."""
    report = CrawlReport()
    seen: set[str] = set()
    per: Counter = Counter()
    downloads: set[str] = set()  # patterns seen to answer a file rather than a page
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    while queue and len(report.visits) < limit:
        url, referrer = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        pattern = _pattern(path)
        if pattern is None:
            report.problems.append(f"{url} (linked from {referrer}) matches no page")
            continue
        # Every page of the portal's own; a page's query-string variants (filters, months,
        # sort orders) and Django admin's pages by sample, so the walk stays bounded.
        if pattern.startswith("admin:"):
            budget, key = per_admin_pattern, pattern
        elif "?" in url:
            budget, key = per_query_pattern, f"{pattern}?"
        elif pattern in downloads:
            budget, key = per_download_pattern, pattern
        else:
            budget, key = per_pattern, pattern
        if budget is not None and per[key] >= budget:
            continue
        per[key] += 1
        response = client.get(url)
        hops = 0
        while response.status_code in (301, 302, 303) and hops < 5:
            location = urljoin(url, response["Location"])
            if urlsplit(location).netloc not in ("", "testserver"):
                break
            if urlsplit(location).path.startswith(("/accounts/login/", "/admin/login/")) and not path.startswith(
                ("/accounts/login/", "/admin/login/")
            ):
                report.problems.append(f"{url} (linked from {referrer}) sends this person to sign in")
                break
            response = client.get(location)
            hops += 1
        report.visits.append(Visit(url, response.status_code, referrer, pattern, response.get("Content-Type", "")))
        if response.status_code >= 500:
            report.problems.append(f"{url} (linked from {referrer}) answers {response.status_code}")
            continue
        if response.status_code >= 400:
            report.problems.append(f"{url} (linked from {referrer}) is a broken link: {response.status_code}")
            continue
        content_type = response.get("Content-Type", "")
        if not content_type.startswith("text/html"):
            downloads.add(pattern)
            if not content_type.startswith(DOWNLOAD_TYPES):
                report.problems.append(f"{url} answers an unexpected {content_type}")
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        parser = _Links()
        parser.feed(body.decode())
        text = " ".join(" ".join(parser.text).split())
        for node in parser.text:
            if node.strip() in ("None", "nan", "NaN", "null", "undefined"):
                report.problems.append(f"{url} shows a bare '{node.strip()}' where a value belongs")
                break
        prose = " ".join(" ".join(parser.prose).split())
        checks = [(e, w, text) for e, w in UNTRUE_TEXT]
        checks += [] if pattern.startswith("admin:") else [(e, w, prose) for e, w in HOUSE_STYLE]
        for expression, what, read in checks:
            found = expression.search(read)
            if found:
                around = read[max(0, found.start() - 60) : found.end() + 60]
                report.problems.append(f"{url} {what}: …{around}…")
        for href in parser.links:
            target, _ = urldefrag(urljoin(url, href))
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https", "") or parts.netloc not in ("", "testserver"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if not local or local.startswith(SKIP_PREFIXES) or local in seen:
                continue
            queue.append((local, url))
    return report
