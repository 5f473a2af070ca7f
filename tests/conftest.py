import pytest
from django.template.backends.jinja2 import Template as JinjaTemplate
from django.test.signals import template_rendered

from nhsportal.models import Role
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory


@pytest.fixture
def site(db):
    return SiteFactory()


@pytest.fixture
def other_site(db):
    return SiteFactory()


@pytest.fixture
def people(site):
    """One person in each role, the site-tied ones at `site`."""
    return {
        "anonymous": None,
        "no_role": user_with_role(None),
        "programme_lead": user_with_role(Role.PROGRAMME_LEAD, place=site.place),
        "site_staff": user_with_role(Role.SITE_STAFF, site=site),
        "site_lead": user_with_role(Role.SITE_LEAD, site=site),
        "taskforce_member": user_with_role(Role.TASKFORCE_MEMBER),
        "taskforce_chair": user_with_role(Role.TASKFORCE_CHAIR),
        "administrator": user_with_role(Role.ADMINISTRATOR),
    }


@pytest.fixture(autouse=True, scope="session")
def jinja_templates_report_their_context():
    """Django's test client collects `response.context` from the template_rendered signal,
    which only Django's own template engine sends. Send it for Jinja2 pages too."""
    original = JinjaTemplate.render

    def render(self, context=None, request=None):
        template_rendered.send(sender=self, template=self, context=dict(context or {}))
        return original(self, context, request)

    JinjaTemplate.render = render
    yield
    JinjaTemplate.render = original
