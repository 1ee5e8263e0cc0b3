from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "flux.accounts"
    label = "flux_accounts"
    verbose_name = "Staff accounts and roles"
