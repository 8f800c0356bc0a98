"""Pages of committees, duty, hotlines and commendations (namespace "command", under /command/)."""

from django.urls import URLPattern, path

from phaodai.command import views_bodies as views

urlpatterns: list[URLPattern] = [
    path("committees/", views.committees, name="committees"),
    path("committees/add/", views.committee_add, name="committee_add"),
    path("committees/<int:pk>/", views.committee, name="committee"),
    path("committees/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("duty/", views.duty, name="duty"),
    path("duty/add/", views.duty_add, name="duty_add"),
    path("hotlines/", views.hotlines, name="hotlines"),
    path("hotlines/add/", views.hotline_add, name="hotline_add"),
    path("hotlines/<int:pk>/edit/", views.hotline_edit, name="hotline_edit"),
    path("commendations/", views.commendations, name="commendations"),
    path("commendations/add/", views.commendation_add, name="commendation_add"),
    path("commendations/<int:pk>/publish/", views.commendation_publish, name="commendation_publish"),
]
