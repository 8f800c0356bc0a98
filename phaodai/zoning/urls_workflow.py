"""Pages of the workflow: the desk, rounds, and each ward's proposal with its actions (namespace "zoning")."""

from django.urls import URLPattern, path

from phaodai.zoning import views_workflow as views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("proposals/<int:pk>/classify/", views.proposal_classify, name="proposal_classify"),
    path("proposals/<int:pk>/items/<str:area_code>/", views.proposal_item, name="proposal_item"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/return/", views.proposal_return, name="proposal_return"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
]
