from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "minsheng.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from minsheng.triage import receivers  # noqa: F401  (connects the signal receivers)
