from django.urls import path

from teams import views

urlpatterns = [
    path("sites/<int:site_pk>/teams/add/", views.team_add, name="team-add"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team-edit"),
    path("teams/<int:team_pk>/workforce/add/", views.workforce_add, name="workforce-add"),
    path("workforce/<int:pk>/edit/", views.workforce_edit, name="workforce-edit"),
    path("workforce/<int:pk>/remove/", views.workforce_remove, name="workforce-remove"),
    path("partner-organisations/add/", views.partner_add, name="partner-add"),
]
