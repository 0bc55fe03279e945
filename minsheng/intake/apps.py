from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "minsheng.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from minsheng.cases.signals import case_event_committed
        from minsheng.intake import notify, receivers  # noqa: F401  (villages' SMS codes)

        # Residents who left a number hear about dispatch, resolution and close.
        case_event_committed.connect(notify.on_case_event, dispatch_uid="intake.notify")
