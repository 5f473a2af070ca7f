from django.urls import path

from accounts import views

urlpatterns = [
    path("auth/oidc/<slug:name>/start/", views.oidc_start, name="oidc-start"),
    path("auth/oidc/<slug:name>/callback/", views.oidc_callback, name="oidc-callback"),
    path("access/request/", views.access_request, name="access-request"),
    path("access/requests/", views.access_requests, name="access-requests"),
    path("access/requests/<int:pk>/", views.access_request_decide, name="access-request-decide"),
    path("access/sites/<int:pk>/confirm/", views.access_confirm, name="access-confirm"),
]
