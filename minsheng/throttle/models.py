"""One row per failed attempt. Rows live for one window and are then swept away."""

from __future__ import annotations

from django.db import models


class Failure(models.Model):
    """A failed sign-in or an unknown tracking code, from one client.

    ``client`` and ``subject`` are keyed hashes (HMAC with the secret key) of the client's
    address and of the username: the table counts, it is no log of who tried what.
    """

    scope = models.CharField(max_length=16)
    client = models.CharField(max_length=64)
    subject = models.CharField(max_length=64, blank=True)
    failed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["scope", "client", "failed_at"], name="throttle_client_idx"),
            models.Index(
                fields=["scope", "client", "subject", "failed_at"], name="throttle_subject_idx"
            ),
            models.Index(fields=["failed_at"], name="throttle_failed_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.client[:8]}… {self.failed_at:%Y-%m-%d %H:%M:%S}"
