from django.urls import path

from metrics.views import filing as filing_views
from metrics.views import returns as views
from metrics.views import steps as step_views

urlpatterns = [
    path("", views.returns_home, name="returns"),
    path("upload/", filing_views.upload, name="return-upload"),
    path("queries/", views.query_log, name="return-queries"),
    path("queries/<int:pk>/answer/", step_views.answer_query, name="return-query-answer"),
    path("queries/<int:pk>/close/", step_views.close_query, name="return-query-close"),
    path("queries/<int:pk>/reopen/", step_views.reopen_query, name="return-query-reopen"),
    path("<int:site_pk>/", views.site_returns, name="site-returns"),
    path("<int:site_pk>/<str:month>/", views.return_detail, name="return-detail"),
    path("<int:site_pk>/<str:month>/edit/", filing_views.edit_grid, name="return-edit"),
    path("<int:site_pk>/<str:month>/template.xlsx", filing_views.blank_template, name="return-blank-template"),
    path("<int:site_pk>/<str:month>/compare/", views.version_diff, name="return-diff"),
    path("<int:site_pk>/<str:month>/versions/<int:number>/", views.version_detail, name="return-version"),
    path(
        "<int:site_pk>/<str:month>/versions/<int:number>/download.xlsx",
        filing_views.download_version,
        name="return-version-download",
    ),
    path("<int:site_pk>/<str:month>/acknowledge/", step_views.acknowledge, name="return-acknowledge"),
    path("<int:site_pk>/<str:month>/send-for-sign-off/", step_views.send_for_sign_off, name="return-send"),
    path("<int:site_pk>/<str:month>/sign-off/", step_views.sign_off, name="return-sign-off"),
    path("<int:site_pk>/<str:month>/request-correction/", step_views.request_correction, name="return-request-correction"),
    path("<int:site_pk>/<str:month>/query/", step_views.raise_query, name="return-raise-query"),
]
