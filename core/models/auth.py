"""API token activity: a token expires after a period without use (security, NFR-02)."""

from django.db import models
from rest_framework.authtoken.models import Token


class ApiTokenActivity(models.Model):
    """When an API token was last used. The token itself is DRF's ``Token``; deleting it
    (logout, expiry) deletes this row too."""

    token = models.OneToOneField(
        Token,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="activity",
        verbose_name="token",
    )
    last_used_at = models.DateTimeField("último uso")

    class Meta:
        verbose_name = "actividad de token de API"
        verbose_name_plural = "actividad de tokens de API"

    def __str__(self) -> str:
        return f"{self.token.user_id}: {self.last_used_at:%Y-%m-%d %H:%M}"
