"""Staff sign-in and sign-out: Django's auth views with minsheng's templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.accounts.forms import StaffAuthenticationForm


class StaffLoginView(auth_views.LoginView):
    """Django's sign-in, refusing an address that failed too often (HTTP 429)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = StaffAuthenticationForm

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response


class StaffLogoutView(auth_views.LogoutView):
    """POST only (Django 5); goes back to the login page (settings.LOGOUT_REDIRECT_URL)."""


class StaffPasswordChangeView(auth_views.PasswordChangeView):
    """Any staff member changes their own password; a first password must be changed."""

    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return reverse("staff:home")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password has been changed."))
        return response
