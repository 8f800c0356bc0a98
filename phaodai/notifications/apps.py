from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "phaodai.notifications"
    label = "notifications"
    verbose_name = "Notifications"
