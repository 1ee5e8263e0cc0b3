"""Deletion requests in the admin: readable, never editable (staff act through the app)."""

from django.contrib import admin
from django.http import HttpRequest

from flux.privacy.models import DeletionRequest


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin[DeletionRequest]):
    list_display = ["id", "created_at", "source", "subject_kind", "status", "due_at"]
    list_filter = ["status", "source", "subject_kind"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
