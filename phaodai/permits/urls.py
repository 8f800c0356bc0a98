"""Pages of permits (namespace "permits", mounted under /permits/)."""

from django.urls import path

from phaodai.permits import views, views_permits

app_name = "permits"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/confirm/", views.organisation_confirm, name="organisation_confirm"),
    path("organisations/<int:pk>/entries/new/", views.entry_create, name="entry_create"),
    path("organisations/<int:pk>/entries/upload/", views.entries_upload, name="entries_upload"),
    path("organisations/<int:pk>/permits.pdf", views_permits.organisation_pdf, name="organisation_pdf"),
    path("applications/new/", views.application_create, name="application_create"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/decide/", views.entry_decide, name="entry_decide"),
    path("entries/<int:pk>/issue/", views.entry_issue, name="entry_issue"),
    path("<int:pk>/", views_permits.permit_detail, name="permit"),
    path("<int:pk>/pdf/", views_permits.permit_pdf, name="permit_pdf"),
    path("<int:pk>/revoke/", views_permits.permit_revoke, name="permit_revoke"),
    path("p/<str:token>/", views_permits.holder_view, name="holder"),
    path("p/<str:token>/pdf/", views_permits.holder_pdf, name="holder_pdf"),
]
