"""Pages of community (namespace "community", mounted under /community/): household commitments,
party members' households, community COVID teams and special housing (S35, S36)."""

from django.urls import URLPattern, path

from phaodai.community import views_commitments as commitments
from phaodai.community import views_housing as housing
from phaodai.community import views_members as members
from phaodai.community import views_teams as teams

app_name = "community"

urlpatterns: list[URLPattern] = [
    path("", commitments.home, name="home"),
    path("campaigns/", commitments.campaigns, name="campaigns"),
    path("campaigns/<str:code>/", commitments.campaign, name="campaign"),
    path("campaigns/<str:code>/area/<str:area_code>/", commitments.campaign_area, name="campaign_area"),
    path("campaigns/<str:code>/area/<str:area_code>/sign/", commitments.sign, name="sign"),
    path("members/", members.members, name="members"),
    path("members/unassign/", members.unassign, name="unassign"),
    path("mine/", members.my_households, name="my_households"),
    path("mine/<int:household>/", members.my_household, name="my_household"),
    path("mine/<int:household>/visit/", members.my_visit, name="my_visit"),
    path("mine/<int:household>/sign/", members.my_sign, name="my_sign"),
    path("teams/", teams.teams, name="teams"),
    path("teams/<int:pk>/", teams.team, name="team"),
    path("teams/<int:pk>/members/", teams.team_member, name="team_member"),
    path("teams/<int:pk>/duty/", teams.team_duty, name="team_duty"),
    path("teams/<int:pk>/visit/", teams.team_visit, name="team_visit"),
    path("housing/", housing.housing_list, name="housing_list"),
    path("housing/<int:pk>/", housing.housing, name="housing"),
    path("housing/<int:pk>/plan/", housing.housing_plan, name="housing_plan"),
    path("housing/<int:pk>/tick/", housing.housing_tick, name="housing_tick"),
]
