from django.apps import AppConfig


class VaccinationConfig(AppConfig):
    name = "phaodai.vaccination"
    label = "vaccination"
    verbose_name = "Vaccination"
