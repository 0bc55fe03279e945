"""A resident's request from the public form to a rated close, over HTTP where the resident acts.

Staff steps call the actions directly: the staff pages are another door to the same actions.
"""

from __future__ import annotations

import re

from django.urls import reverse

from minsheng.cases import actions
from minsheng.cases.models import Case, Status


def test_resident_report_is_dispatched_handled_resolved_rated_and_closed(en_client, county):
    form_page = en_client.get(reverse("intake:report"), {"area": county.village.code})
    key = form_page.context["form"]["submission_key"].value()
    response = en_client.post(
        reverse("intake:report"),
        {
            "area": str(county.village.pk),
            "category": str(county.water.pk),
            "title": "村口水管破裂",
            "description": "柳树村村口的水管破了，已经停水两天。",
            "contact_name": "李明",
            "contact_phone": "13700001111",
            "submission_key": key,
            "via": "qr",
        },
        follow=True,
    )
    code = re.search(r'id="tracking-code" dir="ltr">(MS[0-9A-Z]+)<', response.content.decode())[1]
    case = Case.objects.get(tracking_code=code)
    page = reverse("intake:case", args=[code])
    assert 'class="badge status-submitted"' in en_client.get(page).content.decode()

    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="维修队已出发")
    actions.resolve_case(actor=county.handler, case=case, resolution="更换了村口的水管")

    html = en_client.get(page).content.decode()
    assert 'class="badge status-resolved"' in html
    assert "更换了村口的水管" in html
    version = re.search(r'name="expected_version" value="(\d+)"', html)[1]
    response = en_client.post(
        reverse("intake:rate", args=[code]),
        {"rating": "5", "is_solved": "yes", "comment": "谢谢", "expected_version": version},
        follow=True,
    )

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    html = response.content.decode()
    assert 'class="badge status-closed"' in html
    kinds = re.findall(r'class="tl-item tl-(\w+)"', html)
    assert kinds == [
        "submitted", "dispatched", "accepted", "note", "resolved", "rated", "closed",
    ]  # fmt: skip
    assert "李明" not in html and "13700001111" not in html
