from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "phaodai.community"
    label = "community"
    verbose_name = "Community"
