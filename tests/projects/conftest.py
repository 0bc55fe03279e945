from __future__ import annotations

import pytest

from minsheng.cases import actions as case_actions
from minsheng.cases.models import Case
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures, for test_browser
    browser,
    new_page,
    release_live_server_connections,
)
from tests.factories import County


@pytest.fixture
def held_case(county: County, submit):  # type: ignore[no-untyped-def]
    """A resident's case in the village, dispatched to the village committee; ``accepted``
    makes the committee take it on, so it may be resolved."""

    def _make(*, accepted: bool = True, title: str = "柳树村三组停水", **overrides) -> Case:  # type: ignore[no-untyped-def]
        case = submit(title=title, **overrides)
        case_actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
        if accepted:
            case_actions.accept_case(actor=county.handler, case=case)
        case.refresh_from_db()
        return case

    return _make
