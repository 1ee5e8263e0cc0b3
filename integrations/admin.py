"""Admin pages of the integrations app."""

from django.contrib import admin
from django.http import HttpRequest

from integrations.models import Credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin[Credential]):
    """List credentials read-only: which provider and key, never the secret itself."""

    list_display = ("provider", "id", "key_id", "created_at", "updated_at")
    list_filter = ("provider",)
    fields = ("id", "provider", "key_id", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="key id")
    def key_id(self, credential: Credential) -> str:
        """Show which FLUX_KEYS key wraps the secret (metadata only; nothing is decrypted)."""
        return credential.secret.kid or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoking goes through the connection flow, which audits it
