from django.apps import AppConfig


class VehiclesConfig(AppConfig):
    name = "phaodai.vehicles"
    label = "vehicles"
    verbose_name = "Vehicles"
