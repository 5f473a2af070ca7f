"""Start the real OpenID Connect provider (tests/accounts/oidc_provider.mjs, the npm
`oidc-provider` package) on a free loopback port, and walk its sign-in page as a browser would."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "nhs-portal"
CLIENT_SECRET = "a-secret-only-the-tests-know"


@contextmanager
def running_provider(*, redirect_uris: list[str], **options):
    """Yields the issuer of a provider started with these options (see oidc_provider.mjs)."""
    client = {
        "client_id": CLIENT_ID,
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": [urljoin(uri, "/") for uri in redirect_uris],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }
    if options.get("client_jwks"):
        client.update(token_endpoint_auth_method="private_key_jwt", jwks=options.pop("client_jwks"))
    else:
        client.update(client_secret=CLIENT_SECRET, token_endpoint_auth_method="client_secret_post")
    config = {"clients": [client], **options}
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is needed for the test OpenID Connect provider (`make install` runs `npm ci`).")
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 0.5)
            if ready:
                line = process.stdout.readline()
                break
            if process.poll() is not None:
                break
        if not line.startswith("READY "):
            raise RuntimeError(f"The test OpenID Connect provider did not start (node {SCRIPT}): {line!r}")
        yield line.split()[1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def provider_settings(issuer: str, **overrides) -> list[dict]:
    entry = {
        "name": "cis2",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "private_key": "",
        "key_id": "",
        "label": "Sign in with NHS CIS2 Authentication",
        "scopes": "openid profile email nationalrbacaccess",
        "acr_values": "AAL3_ANY",
        "post_logout": True,
    }
    entry.update(overrides)
    return [entry]


def sign_in_at_provider(authorize_url: str, login: str, *, portal_prefix: str) -> str:
    """Follow the provider from its authorization endpoint through its sign-in page, as a
    browser would, to the redirect back to the portal; return that URL (not followed)."""
    session = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["location"])
            if url.startswith(portal_prefix):
                return url
            continue
        assert response.status_code == 200, response.text
        action = urljoin(url, response.text.split('action="')[1].split('"')[0])
        response = session.post(action, data={"login": login}, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text
        url = urljoin(action, response.headers["location"])
        if url.startswith(portal_prefix):
            return url
    raise AssertionError(f"The provider never sent the browser back to the portal (last at {url}).")


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
