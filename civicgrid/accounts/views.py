"""Sign-in and sign-out pages that write the audit trail (登录 / 退出)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from .services import password_change_record, session_login_record, session_logout_record


class LoginView(auth_views.LoginView):
    """Django's login page; a successful sign-in is recorded as ``auth.login``.

    Failed attempts are counted by django-axes (the form passes the request to authenticate).
    """

    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        session_login_record(user=form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only); records ``auth.logout`` for a signed-in user."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            session_logout_record(user=user)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new one twice, validators); recorded as
    ``auth.password_change``."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_change_record(user=form.user)
        return response
