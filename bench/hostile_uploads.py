"""Benchmark: how fast, and in how much memory, hostile files are refused (issue 12).

Not part of `make bench` (it builds a 1.5 GB zip bomb's worth of deflate and streams a 1.5 GB
body, a minute of one core): run it by hand.

    DJANGO_ENV=test .venv/bin/python -m bench.hostile_uploads [case …]

Each case runs in a fresh subprocess (its own throwaway database: PostgreSQL when
DATABASE_URL is set, else SQLite), which sends ONE request through Django's real WSGI
handler (middleware, CSRF, upload handlers, the view) as a signed-in member of site staff:
to `POST /api/v1/returns/upload/` with a token, and to the upload page with a session and
its CSRF token. The body is streamed from a file on disk, so the client's own copy does not
count. Printed per case and path: the answer, the wall time of the request, the peak of
Python allocations during it (tracemalloc) and how much the process's peak resident size
grew (ru_maxrss).
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")
os.environ.setdefault("DJANGO_ENV", "test")

CASES = ("million_rows", "million_empty_rows", "rows_counted", "zip_bomb", "oversize", "html_pdf", "macro", "valid")
BOUNDARY = "----hostileboundary"


def _build(case: str, folder: str) -> str:
    from tests.metrics import workbooks

    path = os.path.join(folder, f"{case}.bin")
    if case == "oversize":  # 1.5 GB of zeros, written in chunks
        with open(path, "wb") as handle:
            block = bytes(16 * 1024 * 1024)
            for _ in range(96):
                handle.write(block)
        return path
    data = {
        "million_rows": lambda: workbooks.million_row_workbook(),  # a figure on each row: 7 MB
        "million_empty_rows": lambda: workbooks.million_row_workbook(figures=False),  # under the size limit
        # 150,000 rows and no <dimension>: within every declared size, so the streamed row count refuses it.
        "rows_counted": lambda: workbooks.million_row_workbook(150_000, figures=False, declare=False),
        "zip_bomb": lambda: workbooks.zip_bomb(),
        "html_pdf": workbooks.html_behind_pdf_header,
        "macro": workbooks.macro_workbook,
        "valid": None,
    }[case]
    with open(path, "wb") as handle:
        handle.write(data() if data else b"")
    return path


class _Body(io.RawIOBase):
    """A multipart body read lazily: the fields, then the file from disk, then the closing boundary."""

    def __init__(self, path: str, fields: dict[str, str]) -> None:
        head = "".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items())
        head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="return.xlsx"\r\n'
        head += "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        self.parts = [io.BytesIO(head.encode()), open(path, "rb"), io.BytesIO(f"\r\n--{BOUNDARY}--\r\n".encode())]  # noqa: SIM115
        self.length = sum(self._size(p) for p in self.parts)

    @staticmethod
    def _size(part) -> int:
        part.seek(0, io.SEEK_END)
        size = part.tell()
        part.seek(0)
        return size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self.parts:
            chunk = self.parts[0].read(len(buffer))
            if chunk:
                buffer[: len(chunk)] = chunk
                return len(chunk)
            self.parts.pop(0).close()
        return 0


def _environ(method: str, path: str, *, cookie: str = "", headers: dict[str, str] | None = None, body=None, length=0):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": body or io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}" if body else "",
        "HTTP_COOKIE": cookie,
    }
    environ.update(headers or {})
    return environ


def _call(handler, environ) -> tuple[str, bytes, list]:
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"], captured["headers"] = status, response_headers

    body = b"".join(handler(environ, start_response))
    return captured["status"], body, captured["headers"]


def run_one(case: str, path: str, where: str) -> dict:
    """In a subprocess: a throwaway database, one signed-in member of staff, one request."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-hostile-")
    try:
        from django.test import Client

        from metrics.returns.reference import load_metrics
        from nhsportal.models import Role
        from tests.metrics.factories import ReportingPeriodFactory
        from tests.metrics.workbooks import make_workbook
        from tests.nhsportal.factories import user_with_role
        from tests.sites.factories import SiteFactory

        load_metrics()
        period = ReportingPeriodFactory(today=timezone.localdate())
        site = SiteFactory(place__name="Croydon")
        staff = user_with_role(Role.SITE_STAFF, site=site, username="bench.staff")
        if case == "valid":
            with open(path, "wb") as handle:
                handle.write(make_workbook(place="Croydon", period=period.month))
        handler = WSGIHandler()
        fields, headers, cookie = {}, {}, ""
        if where == "api":
            headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=staff).key}"
            url = "/api/v1/returns/upload/"
        else:
            client = Client()
            client.force_login(staff)
            session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            status, page, response_headers = _call(handler, _environ("GET", "/returns/upload/", cookie=session))
            prefix = f"{settings.CSRF_COOKIE_NAME}="
            csrf_cookie = next(
                v.strip().split(";")[0] for k, v in response_headers if k.lower() == "set-cookie" and v.strip().startswith(prefix)
            )
            fields["csrfmiddlewaretoken"] = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
            cookie = f"{session}; {csrf_cookie}"
            headers["HTTP_REFERER"] = "http://testserver/returns/upload/"
            url = "/returns/upload/"
        # Warm up: the first request of a process compiles templates and loads the URLconf.
        _call(
            handler, _environ("GET", "/api/v1/returns/" if where == "api" else "/returns/upload/", cookie=cookie, headers=headers)
        )
        body = _Body(path, fields)
        environ = _environ("POST", url, cookie=cookie, headers=headers, body=body, length=body.length)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        start = time.perf_counter()
        status, content, _ = _call(handler, environ)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        said = ""
        if where == "api":
            try:
                answer = json.loads(content)
                said = (answer.get("errors") or [{}])[0].get("message", "") or answer.get("detail", "")
            except ValueError:
                said = content[:80].decode(errors="replace")
        else:
            found = re.search(rb"nhsuk-error-summary__list.*?<a[^>]*>(.*?)</a>", content, re.S)
            said = found.group(1).decode(errors="replace").strip() if found else status
        return {
            "status": status.split()[0],
            "seconds": round(elapsed, 3),
            "tracemalloc_peak_mb": round(peak / 2**20, 1),
            "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
            "said": " ".join(said.split())[:110],
        }
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2], sys.argv[3], os.environ["BENCH_WHERE"])))
        return 0
    import django

    django.setup()
    folder = tempfile.mkdtemp(prefix="bench-hostile-files-")
    print(f"{'case':<13} {'path':<5} {'size':>9} {'answer':>6} {'seconds':>8} {'py peak':>8} {'rss +':>7}  message")
    for case in sys.argv[1:] or CASES:
        path = _build(case, folder)
        for where in ("api", "page"):
            done = subprocess.run(  # noqa: S603 - this very script, with arguments it chose
                [sys.executable, "-m", "bench.hostile_uploads", "--one", case, path],
                env={**os.environ, "BENCH_WHERE": where},
                capture_output=True,
                text=True,
                check=False,
            )
            line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
            try:
                result = json.loads(line)
            except ValueError:
                print(f"{case:<13} {where:<5} failed: {done.stderr[-400:]}")
                continue
            size = os.path.getsize(path)
            shown = f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.1f} KB"
            print(
                f"{case:<13} {where:<5} {shown:>9} {result['status']:>6} {result['seconds']:>8.3f} "
                f"{result['tracemalloc_peak_mb']:>6.1f}MB {result['rss_growth_mb']:>5.1f}MB  {result['said']}"
            )
        os.remove(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
