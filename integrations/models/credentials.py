"""Sealed credentials: every token and key an integration holds."""

import uuid

from django.db import models

from flux.fields import EncryptedJSONField


class Credential(models.Model):
    """One provider's tokens or key, sealed at rest; revoking a connection deletes its row."""

    # A UUID made in Python: the pk is part of the secret's AAD, so it must exist before sealing.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(max_length=40)
    secret = EncryptedJSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "created_at"]

    def __str__(self) -> str:
        return f"{self.provider} credential {self.id}"
