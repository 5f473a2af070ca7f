"""Every write and every state change to monthly returns: keyword-only, checked, atomic, audited.

Split by responsibility: `common` (the refusals and the importer's view of the world),
`filing` (filing a version, warnings, sign-off, corrections), `queries` (the data-quality loop),
`notify` (a notice's task, once the step commits), `exports` (asking for a rollup export).
This layer sits above `metrics.tasks`: it enqueues work; nothing below it imports the tasks.
"""

from metrics.services.common import (
    ReturnConflict,
    ReturnRefused,
    TransitionRefused,
    import_context,
    not_ended_problem,
    unchanged_message,
)
from metrics.services.filing import (
    acknowledge_warnings,
    file_version,
    request_correction,
    send_for_sign_off,
    sign_off,
    submit_cells,
    submit_values,
    upload_return,
)
from metrics.services.queries import answer_query, close_query, raise_query, reopen_query

__all__ = [
    "ReturnRefused",
    "ReturnConflict",
    "TransitionRefused",
    "import_context",
    "not_ended_problem",
    "unchanged_message",
    "upload_return",
    "submit_cells",
    "submit_values",
    "file_version",
    "acknowledge_warnings",
    "send_for_sign_off",
    "sign_off",
    "request_correction",
    "raise_query",
    "answer_query",
    "close_query",
    "reopen_query",
]
