"""Pages of situation reports, mounted at /reports/ (namespace "sitreps")."""

from django.urls import URLPattern, path

from phaodai.sitreps import views_desk, views_reports, views_submit, views_urgent

app_name = "sitreps"

urlpatterns: list[URLPattern] = [
    path("", views_desk.home, name="home"),
    # Urgent reports first: "urgent" is not a schedule code.
    path("urgent/", views_urgent.urgent_list, name="urgent_list"),
    path("urgent/new/", views_urgent.urgent_new, name="urgent_new"),
    path("urgent/<int:pk>/", views_urgent.urgent, name="urgent"),
    path("urgent/<int:pk>/acknowledge/", views_urgent.urgent_ack, name="urgent_ack"),
    path("submissions/<int:pk>/", views_reports.submission, name="submission"),
    path("submissions/<int:pk>/correct/", views_reports.correct, name="correct"),
    path("submissions/<int:pk>/accept/", views_reports.accept, name="accept"),
    path("submissions/<int:pk>/reopen/", views_reports.reopen, name="reopen"),
    path("<slug:schedule_code>/submit/", views_submit.submit, name="submit"),
    path("<slug:schedule_code>/timeliness/", views_desk.timeliness, name="timeliness"),
    path("<slug:schedule_code>/slots/<str:slot>/", views_desk.slot_page, name="slot"),
    path("<slug:schedule_code>/slots/<str:slot>/xlsx/", views_desk.slot_xlsx, name="slot_xlsx"),
    path("<slug:schedule_code>/charts/", views_desk.charts_page, name="charts"),
]
