"""Sign-in forms that stop password guessing (see ``minsheng.throttle.actions``)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from minsheng.throttle import actions as throttle


def locked_message(until) -> str:  # type: ignore[no-untyped-def]
    # The same words whether or not the username exists: the lock is on the address.
    return _(
        "Too many failed sign-in attempts from this address. Please try again after %(time)s."
    ) % {"time": throttle.clock_time(until)}


class ThrottledLoginMixin:
    """Refuse a locked username+address before checking the password; count failures;
    a success clears the count of that username from that address."""

    locked = False

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        client = throttle.client_ip(self.request)
        until = throttle.locked_until(throttle.LOGIN, client=client, subject=username)
        if until is not None:
            self.locked = True
            raise forms.ValidationError(locked_message(until), code="throttled")
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            if username and password:
                throttle.record_failure(throttle.LOGIN, client=client, subject=username)
            raise
        throttle.clear_failures(throttle.LOGIN, client=client, subject=username)
        return cleaned


class StaffAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
