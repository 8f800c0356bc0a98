from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "phaodai.accounts"
    label = "accounts"
    verbose_name = "Accounts"
