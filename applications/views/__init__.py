"""Application pages, split by who uses them: `pages` (both audiences), `applicant` and
`evidence` (a Place's programme leads), `review` (a reviewer), `taskforce` (the chair and
members). Views are thin: permission, form, one service call, redirect."""
