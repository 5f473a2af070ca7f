"""Every write and state change in the reviews app: checked, atomic, audited.

- `onboarding`: sites mark milestones done, the taskforce confirms or sends back, data ticks
  the automatic ones, and a site becomes active once every required one is confirmed.
- `reviewing`: scheduling, ratings, actions, publication, response, sign-off and notes.
- `coaching`: the coaching and workshop log.
"""

from reviews.services.coaching import record_session
from reviews.services.onboarding import (
    activate_if_complete,
    confirm_milestone,
    send_back_milestone,
    submit_milestone,
    sync_onboarding,
    tick_automatic_milestones,
)
from reviews.services.reviewing import (
    add_action,
    add_note,
    publish_review,
    rate_review,
    respond_to_review,
    schedule_review,
    sign_off_review,
    update_action,
)

__all__ = [
    "activate_if_complete",
    "add_action",
    "add_note",
    "confirm_milestone",
    "publish_review",
    "rate_review",
    "record_session",
    "respond_to_review",
    "schedule_review",
    "send_back_milestone",
    "sign_off_review",
    "submit_milestone",
    "sync_onboarding",
    "tick_automatic_milestones",
    "update_action",
]
