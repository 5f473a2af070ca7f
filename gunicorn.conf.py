"""Gunicorn's settings, the same for docker-compose.yml and the system tests (tests/system).

Gunicorn reads its own environment variables here, not through nhsportal/config.py: it starts
before Django does. `GUNICORN_BIND` (default 0.0.0.0:8000), `GUNICORN_WORKERS` (default 3)
and `GUNICORN_TIMEOUT` (seconds, default 60).
"""

import os

wsgi_app = "nhsportal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Several processes: a slow page (a big upload being checked) never holds up the others.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Behind the proxy that terminates TLS; the portal itself speaks plain HTTP.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# A worker is recycled after this many requests (with jitter), so a slow leak never builds up.
max_requests = 2000
max_requests_jitter = 200

# The application is loaded once, in the parent, and warmed there (views imported, templates
# compiled, the heap frozen for the collector) before the workers fork: a new or recycled worker
# answers its first request as fast as its thousandth (nhsportal/warmup.py).
preload_app = True


def when_ready(server):  # the parent, after loading the application and before forking
    from nhsportal.warmup import warm

    warm()
