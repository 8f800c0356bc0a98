from django.apps import AppConfig


class BusinessConfig(AppConfig):
    name = "phaodai.business"
    label = "business"
    verbose_name = "Businesses"

    def ready(self) -> None:
        from phaodai.business.receivers import tell_businesses
        from phaodai.zoning.signals import places_decided

        places_decided.connect(tell_businesses, dispatch_uid="business.level_change")
