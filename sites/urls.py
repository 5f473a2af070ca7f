from django.urls import path

from sites import views

urlpatterns = [
    path("", views.site_list, name="site-list"),
    path("<int:pk>/", views.site_detail, name="site-detail"),
    path("<int:pk>/profile/", views.site_edit, name="site-edit"),
    path("<int:pk>/neighbourhoods/add/", views.neighbourhood_add, name="neighbourhood-add"),
    path("neighbourhoods/<int:pk>/", views.neighbourhood_edit, name="neighbourhood-edit"),
]
