from django.urls import path

from bulletins import views

urlpatterns = [
    path("", views.bulletin_list, name="bulletin-list"),
    path("build/", views.bulletin_build, name="bulletin-build"),
    path("<str:month>/", views.bulletin_detail, name="bulletin-detail"),
    path("<str:month>/v<int:version>/", views.bulletin_detail, name="bulletin-version"),
    path("<str:month>/v<int:version>/bulletin.xlsx", views.bulletin_workbook, name="bulletin-workbook"),
]
