"""The OpenAPI schema generates cleanly and the docs are served without any CDN."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    out = tmp_path / "schema.yaml"

    # --fail-on-warn turns any warning or error into a non-zero exit (SystemExit).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    schema = yaml.safe_load(out.read_text())
    paths = schema["paths"]
    for endpoint in ["regions", "icbs", "places", "waves", "sites", "neighbourhoods", "teams", "workforce"]:
        assert f"/api/v1/{endpoint}/" in paths
    assert set(paths["/api/v1/teams/"]) == {"get", "post"}
    assert set(paths["/api/v1/teams/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/workforce/{id}/"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/sites/{id}/"]) == {"get"}
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_schema_is_published_to_anyone(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "NHS Neighbourhood Health Programme Portal API"


def test_the_docs_load_their_scripts_and_styles_from_this_server(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""", html)
    assert assets, "the docs page should load Swagger UI's script and styles"
    for url in assets:
        assert not re.match(r"^(https?:)?//", url), f"{url} is loaded from another host"
        if url.startswith("/api/docs/?"):
            continue  # the page's start-up script, served by the docs view itself (no inline script)
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not in the static files"
    assert any(url.startswith("/api/docs/?") and "script" in url for url in assets)


def test_the_docs_start_up_script_is_served_as_javascript(client):
    response = client.get("/api/docs/?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in response.content


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/sites/", "/api/v1/teams/", "/api/v1/teams/{team}/", "/api/v1/workforce/{entry}/"]
)
def test_the_browsable_api_renders_for_a_person_in_a_browser(client_as, people, world, path):
    response = client_as(people["site_staff"]).get(path.format(team=world.team.pk, entry=world.entry.pk), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
