"""`definition_link`: the "Definition of this metric" link every chart showing a metric carries."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from markupsafe import Markup, escape

# Charts whose table key names their metrics, where the page has no one metric of its own.
CHART_METRICS = {"engagement": ("COHORT", "P1_CASELOAD"), "demographics": ("COHORT",)}
NAMES = {"COHORT": "the cohort", "P1_CASELOAD": "the caseload"}


def definition_link(metric: Any, name: str = "") -> Markup:
    """A metric (or its code): a link to its page in the dictionary, named for screen readers."""
    code = getattr(metric, "code", metric)
    name = name or getattr(metric, "name", "") or NAMES.get(code, code)
    href = reverse("metric-definition", args=[code])
    return Markup(  # noqa: S704 - every value is escaped
        '<a class="app-definition-link nhsuk-body-s" href="{}">Definition of {}<span class="nhsuk-u-visually-hidden">: {}</span></a>'
    ).format(escape(href), "this metric", escape(name))


def chart_definition_links(key: str, metric: Any = None) -> Markup:
    """Under a chart's heading: its page's metric (funnel, SPC), or the metrics its table key names."""
    if getattr(metric, "code", None):
        codes: tuple[str, ...] = (metric.code,)
    else:
        codes = next((c for prefix, c in CHART_METRICS.items() if key == prefix or key.startswith(prefix + "-")), ())
    if not codes:
        return Markup("")
    if len(codes) == 1:
        links = [definition_link(metric if getattr(metric, "code", None) else codes[0])]
    else:
        links = [
            Markup('<a class="app-definition-link nhsuk-body-s" href="{}">Definition of {}</a>').format(
                reverse("metric-definition", args=[code]), NAMES.get(code, code)
            )
            for code in codes
        ]
    return Markup('<p class="nhsuk-body-s app-definition-links">{}</p>').format(Markup(" · ").join(links))


_CODE = re.compile(r"(?<![\w,.])(\d{6,})(?![\w,])")


def with_codes(text: Any) -> Markup:
    """A definition's text, escaped, with each clinical code in it (a SNOMED CT concept id such as
    1077241000000103: six digits or more) marked up as `<code>`, so it reads and is checked as
    an identifier, not as a number missing its thousands separators (docs/glossary.md)."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))  # noqa: S704 - escaped first
