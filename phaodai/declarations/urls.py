"""Pages of declarations (namespace "declarations", mounted under /declarations/)."""

from django.urls import path

from phaodai.declarations import views

app_name = "declarations"

urlpatterns = [
    # The person's side: open to everyone; the pass is reached only through its unguessable link.
    path("new/", views.declare, name="declare"),
    path("pass/<str:token>/", views.pass_page, name="pass"),
    path("pass/<str:token>/pdf/", views.pass_pdf, name="pass_pdf"),
    # Officials' side: scoped to their units.
    path("", views.index, name="index"),
    path("worklist/", views.worklist, name="worklist"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
]
