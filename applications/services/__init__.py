"""Every write and every state change to applications: keyword-only, checked, atomic, audited.

Split by responsibility: `drafting` (a Place writes its application), `workflow` (the
status machine and the moves applicants make), `reviews` (the taskforce scores),
`decisions` (the chair decides; selection creates the site).
"""

from applications.services.decisions import record_decision, record_decisions
from applications.services.drafting import (
    add_collaborator,
    add_evidence,
    remove_collaborator,
    remove_evidence,
    save_answer,
    start_application,
)
from applications.services.reviews import (
    assign_reviewer,
    declare_conflict,
    review_gaps,
    save_recommendation,
    save_score,
    submit_review,
    unassign_reviewer,
)
from applications.services.workflow import (
    answer_clarification,
    request_clarification,
    start_review,
    submit_application,
    withdraw_application,
)

__all__ = [
    "add_collaborator",
    "add_evidence",
    "answer_clarification",
    "assign_reviewer",
    "declare_conflict",
    "record_decision",
    "record_decisions",
    "remove_collaborator",
    "remove_evidence",
    "request_clarification",
    "review_gaps",
    "save_answer",
    "save_recommendation",
    "save_score",
    "start_application",
    "start_review",
    "submit_application",
    "submit_review",
    "unassign_reviewer",
    "withdraw_application",
]
