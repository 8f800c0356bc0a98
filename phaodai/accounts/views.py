"""Sign-in, sign-out and the signed-in home page."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from phaodai.accounts import selectors
from phaodai.accounts.roles import Perm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Sign in")}


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # A business's representative has one thing to do here: their businesses are their home.
    if selectors.perms_of(request.user) == {Perm.REPRESENT_BUSINESS}:
        return redirect("business:mine")
    return render(request, "accounts/home.html", {"assignments": selectors.assignments_of(request.user)})
