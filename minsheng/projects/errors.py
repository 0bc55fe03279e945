"""Errors the project actions raise. They share the case errors' shape (a translatable
``message``, the ``field`` at fault and an HTTP ``status_code``), so pages treat both alike."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from minsheng.cases.errors import CaseError


class ProjectError(CaseError):
    default_message = _("The request could not be carried out.")


class InvalidInput(ProjectError):
    default_message = _("Some of the information is missing or not valid.")


class NotPermitted(ProjectError):
    status_code = 403
    default_message = _("You are not allowed to do this in this area.")


class NotFound(ProjectError):
    status_code = 404
    default_message = _("No such project, need or resource.")


class InvalidState(ProjectError):
    status_code = 409
    default_message = _("This is not possible in its current state.")
