from __future__ import annotations

import pytest

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel
from tests.factories import County, make_county


@pytest.fixture
def county(db) -> County:  # type: ignore[no-untyped-def]
    return make_county()


@pytest.fixture
def submit(county: County):  # type: ignore[no-untyped-def]
    """Submit a resident's case in the test village; keyword overrides pass through."""

    def _submit(**overrides) -> Case:  # type: ignore[no-untyped-def]
        fields = {
            "actor": actions.RESIDENT,
            "title": "村口水管破裂",
            "description": "柳树村村口的水管破了，已经停水两天。",
            "category": county.roads,
            "area": county.village,
            "channel": Channel.WEB,
        }
        fields.update(overrides)
        return actions.submit_case(**fields)

    return _submit
