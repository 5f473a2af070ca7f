from django.urls import path

from reviews.views import onboarding, reviewing, tracking

urlpatterns = [
    path("", reviewing.review_list, name="review-list"),
    path("schedule/", reviewing.review_schedule, name="review-schedule"),
    path("<int:pk>/", reviewing.review_detail, name="review-detail"),
    path("<int:pk>/ratings/", reviewing.review_rate, name="review-rate"),
    path("<int:pk>/actions/add/", reviewing.review_action_add, name="review-action-add"),
    path("<int:pk>/publish/", reviewing.review_publish, name="review-publish"),
    path("<int:pk>/respond/", reviewing.review_respond, name="review-respond"),
    path("<int:pk>/sign-off/", reviewing.review_sign_off, name="review-sign-off"),
    path("<int:pk>/notes/", reviewing.review_note, name="review-note"),
    path("actions/", tracking.action_list, name="action-list"),
    path("actions/<int:pk>/", tracking.action_update, name="action-update"),
    path("matrix/", tracking.review_matrix, name="review-matrix"),
    path("coaching/", tracking.coaching_list, name="coaching-list"),
    path("coaching/add/", tracking.coaching_add, name="coaching-add"),
    path("onboarding/overdue/", onboarding.overdue_onboarding, name="overdue-onboarding"),
    path("sites/<int:pk>/", onboarding.site_reviews, name="site-reviews"),
    path("sites/<int:pk>/onboarding/", onboarding.onboarding, name="onboarding"),
    path("sites/<int:pk>/onboarding/<int:template_pk>/", onboarding.milestone_submit, name="milestone-submit"),
    path("sites/<int:pk>/onboarding/<int:template_pk>/decision/", onboarding.milestone_decide, name="milestone-decide"),
    path("sites/<int:pk>/onboarding/<int:template_pk>/evidence/", onboarding.milestone_evidence, name="milestone-evidence"),
]
