from django.urls import path

from dictionary import views

urlpatterns = [
    path("", views.metric_list, name="metric-dictionary"),
    path("downloads/measurement-guide.pdf", views.measurement_guide, name="metric-dictionary-guide"),
    path("downloads/template.xlsx", views.blank_template, name="metric-dictionary-template"),
    path("<str:code>/", views.metric_detail, name="metric-definition"),
]
