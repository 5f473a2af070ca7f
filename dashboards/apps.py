from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from dashboards import funnels
        from metrics.rollups import jobs as rollup_jobs

        rollup_jobs.built.connect(funnels.warm_after_run, dispatch_uid="dashboards-funnels")
