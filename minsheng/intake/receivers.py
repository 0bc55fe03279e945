"""Every village and community has its SMS code from the moment it exists.

Residents may text a problem as soon as the village is set up (the code is announced at a
meeting, on the notice board, by the village team), not only once a poster is printed.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from minsheng.directory.models import Area
from minsheng.intake.models import POSTER_AREA_KINDS, AreaSmsCode


@receiver(post_save, sender=Area, dispatch_uid="intake.area_sms_code")
def give_new_village_its_sms_code(sender, instance: Area, raw: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """A village or community saved without a code gets one (also when a township is
    turned into a village). Fixtures loaded raw carry their own codes."""
    if raw or instance.kind not in POSTER_AREA_KINDS:
        return
    AreaSmsCode.for_area(instance)
