"""Pages of inspection teams, inspections and accountability (namespace "inspections")."""

from django.urls import URLPattern, path

from phaodai.inspections import views, views_accountability, views_plan, views_teams

app_name = "inspections"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("plan/", views_plan.plan, name="plan"),
    path("accountability/", views_accountability.accountability, name="accountability"),
    path("teams/", views_teams.teams, name="teams"),
    path("teams/add/", views_teams.team_add, name="team_add"),
    path("teams/<int:pk>/", views_teams.team, name="team"),
    path("teams/<int:pk>/edit/", views_teams.team_edit, name="team_edit"),
    path("<int:pk>/", views.inspection, name="inspection"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/findings/", views.findings, name="findings"),
    path("<int:pk>/findings/<slug:item>/photo/", views.finding_photo, name="finding_photo"),
    path("<int:pk>/violations/", views.violation_add, name="violation_add"),
    path("<int:pk>/finish/", views.finish, name="finish"),
    path("<int:pk>/reinspect/", views_plan.reinspect, name="reinspect"),
]
