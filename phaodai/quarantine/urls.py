"""Pages of quarantine facilities and admissions (namespace "quarantine", mounted under /quarantine/)."""

from django.urls import URLPattern, path

from phaodai.quarantine import views, views_admissions

app_name = "quarantine"

urlpatterns: list[URLPattern] = [
    path("", views.board, name="home"),
    path("facilities/", views.facilities, name="facilities"),
    path("facilities/add/", views.facility_add, name="facility_add"),
    path("facilities/<int:pk>/", views.facility, name="facility"),
    path("facilities/<int:pk>/edit/", views.facility_edit, name="facility_edit"),
    path("facilities/<int:pk>/readiness/", views.facility_readiness, name="facility_readiness"),
    path("facilities/<int:pk>/admit/", views_admissions.admit, name="admit"),
    path("admissions/<int:pk>/", views_admissions.admission, name="admission"),
    path("admissions/<int:pk>/discharge/", views_admissions.discharge, name="discharge"),
    path("admissions/<int:pk>/transfer/", views_admissions.transfer, name="transfer"),
]
