from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "flux.audit"
    label = "audit"
    verbose_name = "Audit log"
