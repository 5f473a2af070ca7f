"""The wording applicant e-mails start with; administrators change it in Django admin."""

from django.db import migrations

from applications.email_defaults import DEFAULTS


def add_defaults(apps, schema_editor):
    EmailTemplate = apps.get_model("applications", "EmailTemplate")
    for kind, text in DEFAULTS.items():
        EmailTemplate.objects.get_or_create(kind=kind, defaults=text)


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
