"""Authentication hardening: lockout after repeated failures (django-axes), API tokens that
expire after inactivity and can be revoked, throttled token and look-up endpoints.

How a lockout is lifted, and how tokens expire, is written in the README (Seguridad)."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from core.models import ApiTokenActivity

LOCKOUT_MESSAGE = (
    "Cuenta bloqueada temporalmente por demasiados intentos fallidos de ingreso. Intente de "
    "nuevo en {minutes} minutos o pida a un administrador que la desbloquee."
)
TOKEN_EXPIRED = "El token expiró por inactividad; solicite uno nuevo en /api/v1/auth/token/."
#: The last use is written at most this often (not on every request).
TOUCH_EVERY_SECONDS = 60
TOKEN_INVALID = "Token inválido."
USER_INACTIVE = "Usuario inactivo o eliminado."


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address for the lockout count. Behind a proxy that the settings trust
    (DJANGO_BEHIND_PROXY), the address the proxy appended last to X-Forwarded-For; otherwise
    the socket's address (a client could write any X-Forwarded-For it likes)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for the address.

    Axes compares one limit with the larger of the user name's and the address's failure counts.
    An office's tablets and PCs leave through one address: five typos by one orientador must
    lock that user name, not the whole office. So the address's count is scaled: it reaches
    the limit at AXES_IP_FAILURE_LIMIT failures (whatever the names tried), the user name's
    at AXES_FAILURE_LIMIT."""

    def get_failures(self, request, credentials=None) -> int:
        by_user, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.AXES_IP_FAILURE_LIMIT
        return max(by_user, scaled)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes: what a locked-out user or address gets, in Spanish (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = LOCKOUT_MESSAGE.format(minutes=minutes)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    return render(
        request,
        "registration/locked.html",
        {"message": message},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; a token unused for API_TOKEN_IDLE_HOURS is deleted and
    refused; its use is recorded at most once a minute."""

    def authenticate_credentials(self, key):
        token = Token.objects.select_related("user", "activity").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(USER_INACTIVE)
        now = timezone.now()
        last_used = token_last_used(token)
        if now - last_used > settings.API_TOKEN_IDLE_TIMEOUT:
            token.delete()
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED)
        if (now - last_used).total_seconds() >= TOUCH_EVERY_SECONDS:
            token_touch(token=token, now=now)
        return token.user, token


def token_last_used(token: Token):
    """When the token was last used: its activity row, or its creation before any use."""
    activity = getattr(token, "activity", None)
    return activity.last_used_at if activity else token.created


def token_touch(*, token: Token, now) -> None:
    """Record the token's use: one INSERT … ON CONFLICT DO UPDATE."""
    ApiTokenActivity.objects.bulk_create(
        [ApiTokenActivity(token=token, last_used_at=now)],
        update_conflicts=True,
        unique_fields=["token"],
        update_fields=["last_used_at"],
    )


def token_issue(*, user) -> Token:
    """The user's API token; an expired one is replaced by a new key."""
    now = timezone.now()
    token = Token.objects.select_related("activity").filter(user=user).first()
    if token is not None and now - token_last_used(token) > settings.API_TOKEN_IDLE_TIMEOUT:
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    token_touch(token=token, now=now)
    return token


def tokens_revoke(*, user) -> int:
    """Delete every API token of the user (logout); returns how many."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


@receiver(user_logged_out)
def _revoke_tokens_on_logout(sender, request, user, **kwargs):
    """Logging out of the site also revokes the user's API token."""
    if user is not None:
        tokens_revoke(user=user)
