"""Pages of the cases app: tracing (included by urls.py under the "cases" namespace).

Persons are named by their opaque id; a CCCD only ever travels in a POST body.
"""

from django.urls import URLPattern, path

from phaodai.cases import views_cases, views_clusters, views_contacts

urlpatterns: list[URLPattern] = [
    path("", views_cases.home, name="home"),
    path("new/", views_cases.case_new, name="case_new"),
    path("<int:pk>/", views_cases.case_detail, name="case_detail"),
    path("<int:pk>/outcome/", views_cases.case_outcome, name="case_outcome"),
    path("<int:pk>/contacts/", views_cases.case_contacts, name="case_contacts"),
    path("persons/<uuid:person_id>/", views_contacts.person, name="person"),
    path("persons/<uuid:person_id>/contacts/", views_contacts.person_contacts, name="person_contacts"),
    path("clusters/", views_clusters.clusters, name="clusters"),
    path("clusters/<int:pk>/", views_clusters.cluster, name="cluster"),
    path("clusters/<int:pk>/graph.json", views_clusters.cluster_graph, name="cluster_graph"),
]
