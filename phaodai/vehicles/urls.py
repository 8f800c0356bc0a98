"""Pages of vehicles (namespace "vehicles", mounted under /vehicles/): the green lane, transit trips,
shippers and the vehicle check."""

from django.urls import URLPattern, path

from phaodai.vehicles import views_green_lane as green
from phaodai.vehicles import views_transit as transit

app_name = "vehicles"

urlpatterns: list[URLPattern] = [
    path("", green.green_lane_list, name="green_lanes"),
    path("green-lane/new/", green.green_lane_new, name="green_lane_new"),
    path("green-lane/import/", green.green_lane_import, name="green_lane_import"),
    path("green-lane/<int:pk>/", green.green_lane_detail, name="green_lane"),
    path("green-lane/<int:pk>/decide/", green.green_lane_decide, name="green_lane_decide"),
    path("green-lane/<int:pk>/revoke/", green.green_lane_revoke, name="green_lane_revoke"),
    path("green-lane/<int:pk>/card.pdf", green.green_lane_card, name="green_lane_card"),
    path("transit/", transit.transit_list, name="transits"),
    path("transit/overdue/", transit.transit_overdue, name="transits_overdue"),
    path("transit/new/", transit.transit_new, name="transit_new"),
    path("transit/<int:pk>/", transit.transit_detail, name="transit"),
    path("transit/<int:pk>/revoke/", transit.transit_revoke, name="transit_revoke"),
    path("shippers/", transit.shipper_list, name="shippers"),
    path("shippers/new/", transit.shipper_new, name="shipper_new"),
    path("shippers/<int:pk>/", transit.shipper_detail, name="shipper"),
    path("shippers/<int:pk>/revoke/", transit.shipper_revoke, name="shipper_revoke"),
    path("check/", transit.check, name="check"),
]
