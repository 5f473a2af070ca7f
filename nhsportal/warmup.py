"""Work every web process would otherwise do on its first requests, done once before gunicorn
forks its workers (gunicorn.conf.py: `preload_app`, `when_ready`).

Cold, each worker imported every view module on its first request and compiled each Jinja
template (the NHS.UK layout and components included) the first time a page used it: a second
or two of CPU per worker, spent exactly when the month's first visitors all arrive, and again
whenever a worker is recycled. Done in the parent, the workers inherit it all.

Then `gc.freeze()`: what the parent built (modules, compiled templates, URL patterns) is never
garbage, so the workers' collector stops walking it on every full collection (a pause of
~100 ms a time on a dashboard page otherwise), and the pages it shares stay shared.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import cast

from django.db import connections
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def warm() -> None:
    started = time.perf_counter()
    _import_every_view(get_resolver().url_patterns)
    templates = _compile_templates()
    connections.close_all()  # nothing opened here may be shared with the workers
    gc.collect()
    gc.freeze()
    logger.info(
        "Warmed before forking: views imported, %d templates compiled, in %.1f s",
        templates,
        time.perf_counter() - started,
    )


def _import_every_view(patterns) -> None:
    """Reading an include's `url_patterns` imports its module, and so the views it names."""
    for pattern in patterns:
        nested = getattr(pattern, "url_patterns", None)
        if nested is not None:
            _import_every_view(nested)


def _compile_templates() -> int:
    """Every Jinja template the portal's pages are built from, compiled into the environment's cache."""
    environment = cast(Jinja2, engines["jinja2"]).env
    names = environment.list_templates(extensions=("jinja", "njk", "html"))
    for name in names:
        try:
            environment.get_template(name)
        except Exception:  # noqa: BLE001 - a template that fails here fails the same way when used: not our business now
            logger.warning("Template %s did not compile while warming", name, exc_info=True)
    return len(names)
