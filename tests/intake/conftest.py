from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from minsheng.cases import actions
from minsheng.cases.models import Case


@pytest.fixture
def en_client() -> Client:
    """A resident who chose English (the language switch sets the cookie), so assertions
    never depend on a catalogue, whatever language a case was reported in."""
    client = Client(headers={"accept-language": "en"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def resolved_case(county, submit):  # type: ignore[no-untyped-def]
    """A case the village unit has handled and reported solved, waiting for the rating."""

    def _resolved(**overrides) -> Case:  # type: ignore[no-untyped-def]
        case = submit(**overrides)
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
        actions.accept_case(actor=county.handler, case=case)
        actions.resolve_case(actor=county.handler, case=case, resolution="水管已更换")
        case.refresh_from_db()
        return case

    return _resolved
