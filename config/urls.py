from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("phaodai.accounts.urls")),
    path("territory/", include("phaodai.territory.urls")),
    path("people/", include("phaodai.people.urls")),
    path("zoning/", include("phaodai.zoning.urls")),
    path("reports/", include("phaodai.sitreps.urls")),
    path("command/", include("phaodai.command.urls")),
    path("business/", include("phaodai.business.urls")),
    path("quarantine/", include("phaodai.quarantine.urls")),
    path("diagnostics/", include("phaodai.diagnostics.urls")),
    path("vaccination/", include("phaodai.vaccination.urls")),
    path("cases/", include("phaodai.cases.urls")),
    path("inspections/", include("phaodai.inspections.urls")),
    path("checkpoints/", include("phaodai.checkpoints.urls")),
    path("permits/", include("phaodai.permits.urls")),
    path("declarations/", include("phaodai.declarations.urls")),
    path("vehicles/", include("phaodai.vehicles.urls")),
    path("markets/", include("phaodai.markets.urls")),
    path("welfare/", include("phaodai.welfare.urls")),
    path("relief/", include("phaodai.relief.urls")),
    path("community/", include("phaodai.community.urls")),
    path("notifications/", include("phaodai.notifications.urls")),
    path("public/", include("phaodai.portal.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
