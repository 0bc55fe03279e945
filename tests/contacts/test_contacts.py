"""Contact details: encrypted at rest, revealed only to the holding unit, audited, purged."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.errors import NotPermitted
from minsheng.cases.models import EventKind
from minsheng.contacts.actions import purge_expired_contacts, reveal_contact
from minsheng.contacts.models import Contact

PHONE = "13912345678"
NAME = "王秀兰"


@pytest.fixture
def case_with_contact(county, submit):
    case = submit(contact_name=NAME, contact_phone=PHONE)
    return actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)


def test_contact_is_encrypted_at_rest(case_with_contact):
    contact = Contact.objects.get(case=case_with_contact)
    assert PHONE not in contact.phone_encrypted and NAME not in contact.name_encrypted
    assert PHONE not in str(contact) and PHONE not in repr(contact)


def test_holding_unit_reveals_and_the_reveal_is_audited(county, case_with_contact):
    name, phone = reveal_contact(actor=county.handler, case=case_with_contact, reason="回访")
    assert (name, phone) == (NAME, PHONE)
    event = case_with_contact.events.get(kind=EventKind.CONTACT_REVEALED)
    assert event.actor == county.handler and not event.is_public


@pytest.mark.parametrize(
    "who", ["other_handler", "operator", "supervisor", "admin", "township_handler"]
)
def test_nobody_but_the_holding_unit_may_reveal(county, case_with_contact, who):
    with pytest.raises(NotPermitted):
        reveal_contact(actor=getattr(county, who), case=case_with_contact)
    assert not case_with_contact.events.filter(kind=EventKind.CONTACT_REVEALED).exists()


def test_after_escalation_only_the_new_holder_may_reveal(county, case_with_contact):
    actions.escalate_case(actor=county.handler, case=case_with_contact, reason="需要镇里处理")
    with pytest.raises(NotPermitted):
        reveal_contact(actor=county.handler, case=case_with_contact)
    assert reveal_contact(actor=county.township_handler, case=case_with_contact)[1] == PHONE


def test_contact_purged_after_retention_period(county, case_with_contact, settings):
    settings.MINSHENG_CONTACT_RETENTION_DAYS = 30
    case = actions.accept_case(actor=county.handler, case=case_with_contact)
    case = actions.resolve_case(actor=county.handler, case=case, resolution="已修复")
    case = actions.rate_case(actor=actions.RESIDENT, case=case, rating=5, is_solved=True)
    assert purge_expired_contacts(now=timezone.now() + dt.timedelta(days=29)) == 0
    assert purge_expired_contacts(now=timezone.now() + dt.timedelta(days=31)) == 1
    contact = Contact.objects.get(case=case)
    assert contact.purged_at and not contact.phone_encrypted and not contact.name_encrypted
    assert case.events.filter(kind=EventKind.CONTACT_PURGED).count() == 1


def test_open_case_contact_is_never_purged(county, case_with_contact, settings):
    settings.MINSHENG_CONTACT_RETENTION_DAYS = 0
    assert purge_expired_contacts(now=timezone.now() + dt.timedelta(days=999)) == 0


def test_contact_never_reaches_the_logs(county, submit, caplog):
    with caplog.at_level(logging.DEBUG):
        case = submit(contact_name=NAME, contact_phone=PHONE)
        case = actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
        reveal_contact(actor=county.handler, case=case)
    assert PHONE not in caplog.text and NAME not in caplog.text


# --- only while a call-back can be needed -------------------------------------------------


def test_reveal_is_allowed_while_the_case_waits_for_the_call_back(county, case_with_contact):
    case = actions.accept_case(actor=county.handler, case=case_with_contact)
    case = actions.resolve_case(actor=county.handler, case=case, resolution="已修复")
    assert reveal_contact(actor=county.handler, case=case) == (NAME, PHONE)


def _closed(county, case):  # type: ignore[no-untyped-def]
    case = actions.accept_case(actor=county.handler, case=case)
    case = actions.resolve_case(actor=county.handler, case=case, resolution="已修复")
    return actions.rate_case(actor=actions.RESIDENT, case=case, rating=5, is_solved=True)


def _withdrawn(county, case):  # type: ignore[no-untyped-def]
    return actions.withdraw_case(actor=actions.RESIDENT, case=case, reason="已经自己修好了")


def _merged(county, case):  # type: ignore[no-untyped-def]
    survivor = actions.dispatch_case(
        actor=county.operator,
        case=actions.submit_case(
            actor=actions.RESIDENT,
            title="村口水管破裂",
            description="同一处水管。",
            category=case.category,
            area=case.area,
            channel=case.channel,
        ),
        unit=county.village_unit,
    )
    return actions.merge_case(actor=county.handler, case=case, into=survivor)


@pytest.mark.parametrize("end", [_closed, _withdrawn, _merged])
def test_no_reveal_once_the_case_has_ended(county, case_with_contact, end):
    case = end(county, case_with_contact)
    with pytest.raises(NotPermitted, match="This case has ended"):
        reveal_contact(actor=county.handler, case=case)
    assert not case.events.filter(kind=EventKind.CONTACT_REVEALED).exists()


def test_no_reveal_of_a_declined_case(county, submit):
    case = submit(contact_name=NAME, contact_phone=PHONE)
    case = actions.decline_case(actor=county.operator, case=case, reason="不属于公共服务")
    with pytest.raises(NotPermitted):
        reveal_contact(actor=county.handler, case=case)
