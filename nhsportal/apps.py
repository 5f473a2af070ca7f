from django.apps import AppConfig


class NhsPortalConfig(AppConfig):
    name = "nhsportal"
    verbose_name = "People, roles and audit"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from nhsportal import lockout, security  # noqa: F401 - security connects the session clock

        # Every password check goes through authenticate(): count its failures, clear on success.
        user_login_failed.connect(lockout.on_login_failed, dispatch_uid="nhsportal.lockout.failed")
        user_logged_in.connect(lockout.on_logged_in, dispatch_uid="nhsportal.lockout.cleared")

        # `<id:…>` in URL patterns: ids bounded like their columns (nhsportal.params), before any URLconf loads.
        from django.urls import register_converter

        from nhsportal.params import IdConverter

        register_converter(IdConverter, "id")

        # Django admin's date-and-time field writes "Date:" and "Time:" as bare text beside its two
        # inputs: this template makes them the inputs' labels (WCAG 1.3.1; axe, tests/browser).
        from django.contrib.admin.widgets import AdminSplitDateTime

        AdminSplitDateTime.template_name = "nhsportal/admin_split_datetime.html"
