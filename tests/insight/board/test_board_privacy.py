"""What a resident typed about themselves never reaches the board, the CSV or Open311.

The resident left their name and phone in the contact fields, then also typed them, an ID
card number, an e-mail address and another resident's tracking code into the text.
"""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.cases import actions

NAME = "王小明"
PHONE = "13912345678"
ID_CARD = "110101199003071234"
EMAIL = "wxm.home@example.com"


@pytest.fixture
def chatty(county, submit):  # type: ignore[no-untyped-def]
    """A resolved case full of personal details, and the other case whose code it names."""
    other = submit(title="另一件事")
    case = submit(
        title=f"{NAME}家门口的路坏了",
        description=(
            f"我是{NAME}，电话 139 1234 5678 或 {PHONE}，身份证{ID_CARD}，邮箱{EMAIL}。"
            f"邻居的案件号是{other.tracking_code}。"
        ),
        contact_name=NAME,
        contact_phone=PHONE,
        latitude=39.91,
        longitude=116.40,
    )
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note=f"已联系{NAME}（{PHONE}），明天去修。")
    actions.resolve_case(
        actor=county.handler, case=case, resolution=f"路已修好，{NAME}确认，邮件已发{EMAIL}。"
    )
    case.refresh_from_db()
    return case, other


def secrets_in(text: str, case, other) -> list[str]:  # type: ignore[no-untyped-def]
    secrets = [NAME, PHONE, "139 1234 5678", ID_CARD, EMAIL, case.tracking_code]
    secrets.append(other.tracking_code)
    return [s for s in secrets if s in text]


def test_board_pages_and_the_timeline_carry_no_personal_details(county, chatty):
    case, other = chatty
    client = Client(headers={"accept-language": "en"})
    for url in ("/board/", f"/board/{county.township.code}/", f"/board/{county.village.code}/"):
        html = client.get(url).content.decode()
        assert f'id="case-{case.pk}"' in html, url
        # The expanded timeline is in the page: its notes and the resolution went through
        # the same redaction.
        assert "明天去修" in html and "路已修好" in html
        assert secrets_in(html, case, other) == [], url


def test_the_map_points_carry_only_the_redacted_title(county, chatty):
    case, other = chatty
    html = Client().get(f"/board/{county.village.code}/").content.decode()
    assert 'id="board-points"' in html
    assert "家门口的路坏了" in html
    assert secrets_in(html, case, other) == []


def test_the_csv_carries_no_personal_details(county, chatty):
    case, other = chatty
    body = b"".join(Client().get("/board/cases.csv").streaming_content).decode("utf-8-sig")
    assert f"\n{case.pk}," in body
    assert secrets_in(body, case, other) == []


def test_open311_carries_no_personal_details(county, chatty):
    case, other = chatty
    client = Client(headers={"accept-language": "en"})
    bodies = [
        client.get("/open311/v2/requests.json", {"extensions": "true"}).content.decode(),
        client.get(f"/open311/v2/requests/{case.pk}.xml", {"extensions": "true"}).content.decode(),
        client.get("/open311/v2/servicerequestupdates.json").content.decode(),
    ]
    for body in bodies:
        assert str(case.pk) in body
        # Open311 publishes no tracking code but a request's own token lookup.
        assert secrets_in(body, case, other) == []


def test_a_declined_request_shows_none_of_its_text(county, submit):
    case = submit(title="邻居老张天天吵架", description="邻居老张家天天吵架，请处理。")
    actions.decline_case(actor=county.operator, case=case, reason="不属于公共服务，老张的事")
    html = Client(headers={"accept-language": "en"}).get("/board/").content.decode()
    assert f'id="case-{case.pk}"' in html
    assert "老张" not in html
    assert "its text is not published" in html
    body = b"".join(Client().get("/board/cases.csv").streaming_content).decode("utf-8-sig")
    assert "老张" not in body
