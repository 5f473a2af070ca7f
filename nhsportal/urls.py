from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from dashboards import views as dashboard_views
from nhsportal import audit_views, health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", account_views.sign_out, name="logout"),
    path("", include("accounts.urls")),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("sites/", include("sites.urls")),
    path("", include("teams.urls")),
    path("applications/", include("applications.urls")),
    path("returns/", include("metrics.urls")),
    path("dashboards/metrics/", include("dictionary.urls")),  # before dashboards/<level>/<id>/
    path("dashboards/", include("dashboards.urls")),
    path("reviews/", include("reviews.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("summary/", dashboard_views.public_summary, name="public-summary"),
    path("exports/", include("metrics.export_urls")),
    path("api/v1/", include("nhsportal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP (ADR 12).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="nhsportal/swagger_ui.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler404 = "nhsportal.views.not_found"
handler403 = "nhsportal.views.forbidden"
handler500 = "nhsportal.views.server_error"
