"""Pages of checkpoints (namespace "checkpoints", mounted under /checkpoints/): the registry, shift
rosters, the crossing log and its stats, and the offline pass verifier."""

from django.urls import URLPattern, path

from phaodai.checkpoints import views, views_crossings, views_rosters, views_verifier

app_name = "checkpoints"

urlpatterns: list[URLPattern] = [
    path("", views.checkpoint_list, name="list"),
    path("new/", views.checkpoint_create, name="create"),
    path("stats/", views_crossings.district_stats, name="district_stats"),
    path("<int:pk>/", views.checkpoint_detail, name="detail"),
    path("<int:pk>/edit/", views.checkpoint_edit, name="edit"),
    path("<int:pk>/roster/", views_rosters.roster, name="roster"),
    path("<int:pk>/roster/shifts/", views_rosters.shift_add, name="shift_add"),
    path("<int:pk>/roster/copy/", views_rosters.roster_copy, name="roster_copy"),
    path("shifts/<int:pk>/staff/", views_rosters.shift_staff_add, name="shift_staff_add"),
    path("shifts/<int:pk>/remove/", views_rosters.shift_remove, name="shift_remove"),
    path("<int:pk>/crossings/", views_crossings.crossings, name="crossings"),
    path("<int:pk>/stats/", views_crossings.checkpoint_stats, name="stats"),
    path("<int:pk>/verify/", views_verifier.verifier, name="verifier"),
    path("verifier/sw.js", views_verifier.worker, name="verifier_worker"),
    path("verifier/manifest.webmanifest", views_verifier.manifest, name="verifier_manifest"),
]
