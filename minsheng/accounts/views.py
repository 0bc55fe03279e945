"""Staff sign-in and sign-out: Django's auth views with minsheng's templates."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    """POST only (Django 5); goes back to the login page (settings.LOGOUT_REDIRECT_URL)."""
