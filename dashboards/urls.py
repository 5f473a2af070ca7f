from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.overview, name="dashboard-overview"),
    path("engagement/", views.engagement, name="dashboard-engagement"),
    path("demographics/", views.demographics, name="dashboard-demographics"),
    path("funnel/<str:metric_code>/", views.funnel, name="dashboard-funnel"),
    path("spc/<str:metric_code>/", views.spc, name="dashboard-spc"),
    path("sharing/", views.sharing_setting, name="dashboard-sharing"),
    path("<str:level>/<id:org_id>/", views.org_overview, name="dashboard-org"),
]
