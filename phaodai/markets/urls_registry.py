"""Pages of markets: the registry part (included by urls.py). Markets live under market/<code>/ so a
market code never shadows another part's pages."""

from django.urls import URLPattern, path

from phaodai.markets import views_registry as registry

urlpatterns: list[URLPattern] = [
    path("", registry.market_list, name="markets"),
    path("market/new/", registry.market_new, name="market_new"),
    path("market/<str:code>/", registry.market_detail, name="market"),
    path("market/<str:code>/edit/", registry.market_edit, name="market_edit"),
    path("market/<str:code>/status/", registry.market_status, name="market_status"),
    path("representatives/", registry.representative_areas, name="representative_areas"),
    path("representatives/<str:area_code>/", registry.representatives, name="representatives"),
    path("pass/<str:pass_id>/<str:token>/", registry.pass_phone, name="pass_phone"),
]
