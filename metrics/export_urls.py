from django.urls import path

from metrics.views import exports as export_views

urlpatterns = [
    path("<int:pk>/", export_views.export_job, name="export-job"),
    path("<int:pk>/download/", export_views.export_download, name="export-download"),
]
