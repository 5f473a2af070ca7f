from django.urls import path

from applications.views import applicant, evidence, pages, review, taskforce

urlpatterns = [
    path("", pages.application_list, name="application-list"),
    path("export.csv", taskforce.export_applications, {"file_format": "csv"}, name="application-export-csv"),
    path("export.xlsx", taskforce.export_applications, {"file_format": "xlsx"}, name="application-export-xlsx"),
    path("rounds/<int:pk>/", pages.round_detail, name="round-detail"),
    path("rounds/<int:pk>/start/", applicant.application_start, name="application-start"),
    path("rounds/<int:pk>/moderation/", taskforce.round_moderation, name="round-moderation"),
    # A Place's programme leads write and submit.
    path("<int:pk>/", pages.application_detail, name="application-detail"),
    path("<int:pk>/questions/<int:number>/", applicant.answer_question, name="application-answer"),
    path("<int:pk>/collaborators/", applicant.collaborators, name="application-collaborators"),
    path(
        "<int:pk>/collaborators/<int:collaborator_pk>/remove/",
        applicant.collaborator_remove,
        name="application-collaborator-remove",
    ),
    path("<int:pk>/evidence/", evidence.evidence, name="application-evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/", evidence.evidence_download, name="evidence-download"),
    path("<int:pk>/evidence/<int:evidence_pk>/remove/", evidence.evidence_remove, name="evidence-remove"),
    path("<int:pk>/check/", applicant.check_answers, name="application-check"),
    path("<int:pk>/withdraw/", applicant.withdraw, name="application-withdraw"),
    path("<int:pk>/clarification/", applicant.clarification_answer, name="clarification-answer"),
    # The taskforce reviews and decides.
    path("<int:pk>/clarification/ask/", taskforce.clarification_request, name="clarification-request"),
    path("<int:pk>/reviewers/", taskforce.reviewers, name="application-reviewers"),
    path("<int:pk>/reviewers/<int:review_pk>/remove/", taskforce.reviewer_remove, name="reviewer-remove"),
    path("<int:pk>/start-review/", taskforce.start_review, name="application-start-review"),
    path("<int:pk>/decision/", taskforce.decision, name="application-decision"),
    path("<int:pk>/review/", review.review_start, name="review-start"),
    path("<int:pk>/review/criteria/<int:number>/", review.review_score, name="review-score"),
    path("<int:pk>/review/recommendation/", review.review_recommendation, name="review-recommendation"),
    path("<int:pk>/review/check/", review.review_check, name="review-check"),
]
