from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "minsheng.insight"
    label = "insight"
    verbose_name = _("Insight")

    def ready(self) -> None:
        from minsheng.cases.signals import case_event_committed
        from minsheng.insight.rollups import on_case_event

        case_event_committed.connect(on_case_event, dispatch_uid="insight.rollups")
