from django.apps import AppConfig


class NhsPortalConfig(AppConfig):
    name = "nhsportal"
    verbose_name = "People, roles and audit"
