"""Errors an action raises. Each carries a translatable message fit to show the user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class CaseError(Exception):
    """Base: the action changed nothing. ``message`` is shown to the user as it is."""

    status_code = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message: object = None, *, field: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.field = field
        # Further problems found in the same request (a form with two empty fields).
        self.also: tuple[CaseError, ...] = ()
        super().__init__(str(self.message))

    def every(self) -> list[CaseError]:
        """This problem and those found with it, to show each beside its field at once."""
        return [self, *self.also]


class InvalidInput(CaseError):
    default_message = _("Some of the information is missing or not valid.")

    @classmethod
    def together(cls, problems: list[InvalidInput]) -> InvalidInput:
        first = problems[0]
        first.also = tuple(problems[1:])
        return first


class NotPermitted(CaseError):
    status_code = 403
    default_message = _("You are not allowed to do this for this case.")


class NotFound(CaseError):
    status_code = 404
    default_message = _("No such case.")


class InvalidTransition(CaseError):
    status_code = 409
    default_message = _("This is not possible in the case's current state.")


class StaleCase(CaseError):
    status_code = 409
    default_message = _(
        "Someone else changed this case a moment ago. Please look at it again before acting."
    )
