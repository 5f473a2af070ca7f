from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from dashboards import funnels
        from metrics import rollups

        rollups.switching.connect(funnels.warm_before_switch, dispatch_uid="dashboards-funnels")
