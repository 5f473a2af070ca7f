"""The wording every applicant e-mail starts with. Administrators change it in Django admin
(E-mail templates); the migration that creates the table copies these in, and the sender
falls back to them if a template is missing. Plain data: the migration imports it."""

PLACEHOLDERS = {
    "decision_selected": ("name", "place", "round", "wave", "rationale", "site", "link"),
    "decision_not_selected": ("name", "place", "round", "wave", "rationale", "link"),
    "clarification_requested": ("name", "place", "round", "question", "link"),
}

DEFAULTS = {
    "decision_selected": {
        "subject": "{{ place }} has been selected for {{ wave }}",
        "body": (
            "Dear {{ name }},\n\n"
            "The national taskforce has selected {{ place }} to join {{ wave }} of the National Neighbourhood "
            "Health Implementation Programme, following your application to {{ round }}.\n\n"
            "The taskforce's reasons:\n{{ rationale }}\n\n"
            "{{ site }} is now set up in the portal as an onboarding site. Sign in to the portal to add its "
            "neighbourhoods and register its first neighbourhood teams: {{ link }}\n\n"
            "The programme team will contact you about onboarding.\n\n"
            "National Neighbourhood Health Implementation Programme"
        ),
    },
    "decision_not_selected": {
        "subject": "The outcome of {{ place }}'s application to {{ round }}",
        "body": (
            "Dear {{ name }},\n\n"
            "Thank you for {{ place }}'s application to {{ round }}. The national taskforce has decided not to "
            "select {{ place }} for {{ wave }}.\n\n"
            "The taskforce's reasons:\n{{ rationale }}\n\n"
            "You can read the decision in the portal: {{ link }}\n\nPlaces that were not selected are welcome to apply to "
            "later rounds.\n\n"
            "National Neighbourhood Health Implementation Programme"
        ),
    },
    "clarification_requested": {
        "subject": "The taskforce has a question about {{ place }}'s application",
        "body": (
            "Dear {{ name }},\n\n"
            "The national taskforce reviewing {{ place }}'s application to {{ round }} has asked:\n\n"
            "{{ question }}\n\n"
            "Sign in to the portal to answer: {{ link }}\n"
            "The taskforce will carry on with its review once you have answered.\n\n"
            "National Neighbourhood Health Implementation Programme"
        ),
    },
}
