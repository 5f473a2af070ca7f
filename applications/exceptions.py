"""Errors the applications services raise beyond Django's own.

`PermissionDenied` (who may) and `ValidationError` (what was sent) keep their usual
meaning. `TransitionNotAllowed` is a third case: the request is well formed and allowed,
but the application is no longer in a state where it makes sense (someone else submitted
it a moment ago, the deadline passed, it has been decided). The API answers it with 409.
"""

from __future__ import annotations


class TransitionNotAllowed(Exception):
    """The application's current state does not allow this change. The message says why,
    in words the person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
