from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from nhsportal import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("sites/", include("sites.urls")),
    path("", include("teams.urls")),
    path("applications/", include("applications.urls")),
    path("returns/", include("metrics.urls")),
    path("api/v1/", include("nhsportal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "nhsportal.views.not_found"
handler403 = "nhsportal.views.forbidden"
handler500 = "nhsportal.views.server_error"
