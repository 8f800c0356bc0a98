from django.apps import AppConfig


class CheckpointsConfig(AppConfig):
    name = "phaodai.checkpoints"
    label = "checkpoints"
    verbose_name = "Checkpoints"
