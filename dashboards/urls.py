from django.urls import path

from dashboards import exports, spc_page, views

urlpatterns = [
    path("", views.overview, name="dashboard-overview"),
    path("engagement/", views.engagement, name="dashboard-engagement"),
    path("demographics/", views.demographics, name="dashboard-demographics"),
    path("funnel/<str:metric_code>/", views.funnel, name="dashboard-funnel"),
    path("spc/<str:metric_code>/", views.spc, name="dashboard-spc"),
    path("spc/<str:metric_code>/change-points/", spc_page.record_change_point, name="dashboard-spc-change-point"),
    path("spc/change-points/<int:pk>/remove/", spc_page.remove_change_point, name="dashboard-spc-change-point-remove"),
    path("sharing/", views.sharing_setting, name="dashboard-sharing"),
    path("export/", exports.start_export, name="dashboard-export"),
    path("<str:level>/<id:org_id>/", views.org_overview, name="dashboard-org"),
]
