from django.urls import path

from phaodai.portal import views, views_business, views_command

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("areas/<str:code>/", views.area, name="area"),
    path("units/<str:code>/", views.unit, name="unit"),
    path("criteria/", views.criteria_list, name="criteria"),
    path("criteria/<str:code>/", views.criteria_detail, name="criteria_detail"),
    path("criteria/<str:code>/evaluate/", views.criteria_evaluate, name="criteria_evaluate"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("regimes/", views.regimes, name="regimes"),
    path("regimes/<str:code>/", views.regime, name="regime"),
    path("map/", views.map_view, name="map"),
    path("hotlines/", views_command.hotlines, name="hotlines"),
    path("commendations/", views_command.commendations, name="commendations"),
    path("businesses/", views_business.business_lookup, name="business"),
    path("sector-conditions/", views_business.sector_conditions, name="sector_conditions"),
]
