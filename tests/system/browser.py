"""A small HTTP client for the system tests: cookies, CSRF and JSON over plain urllib.

It talks to gunicorn on loopback as the TLS-terminating proxy would: every request carries
`X-Forwarded-Proto: https` (which production trusts through SECURE_PROXY_SSL_HEADER), so the
portal runs with its production settings unchanged, HTTPS redirect and secure cookies included.
Cookies are kept by hand: the portal's are `Secure`, which a cookie jar would not send over
the loopback's plain HTTP.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Browser:
    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        all_headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{urllib.parse.urlsplit(self.base).netloc}/",
            **(headers or {}),
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method != "GET" and "csrftoken" in self.cookies:
            all_headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
        request = urllib.request.Request(self.base + path, data=data, headers=all_headers, method=method)  # noqa: S310 - http on loopback
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=self.timeout)
            answer = Answer(response.status, dict(response.headers), response.read())
            set_cookies = response.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            answer = Answer(error.code, dict(error.headers), error.read())
            set_cookies = error.headers.get_all("Set-Cookie") or []
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post_json(self, path: str, payload: Any = None) -> Answer:
        body = json.dumps(payload if payload is not None else {}).encode()
        return self.request("POST", path, data=body, headers={"Content-Type": "application/json"})

    def post_form(self, path: str, fields: dict[str, str]) -> Answer:
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})

    def sign_in(self, username: str, password: str) -> Answer:
        """As a person does: the sign-in page (its CSRF token), then the form."""
        page = self.get("/accounts/login/")
        assert page.status == 200, f"the sign-in page answered {page.status}"
        token = CSRF_INPUT.search(page.text)
        assert token, "the sign-in page has a CSRF token"
        answer = self.post_form(
            "/accounts/login/", {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        )
        assert answer.status == 302, f"signing in as {username} answered {answer.status}: {answer.text[:500]}"
        return answer
