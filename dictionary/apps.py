from django.apps import AppConfig


class DictionaryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dictionary"
    verbose_name = "Metric dictionary"
