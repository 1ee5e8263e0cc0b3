"""The audit log in the admin: readable, never editable."""

from django.contrib import admin
from django.http import HttpRequest

from flux.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["occurred_at", "actor_label", "action", "target_label", "request_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "action", "target_label", "request_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
