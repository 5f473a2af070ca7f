from django.urls import path

from bulletins import views

urlpatterns = [
    path("", views.bulletin_list, name="bulletin-list"),
    path("build/", views.bulletin_build, name="bulletin-build"),
    path("<slug:slug>/", views.bulletin_detail, name="bulletin-detail"),
    path("<slug:slug>/v<int:version>/", views.bulletin_detail, name="bulletin-version"),
    path("<slug:slug>/v<int:version>/bulletin.xlsx", views.bulletin_workbook, name="bulletin-workbook"),
]
