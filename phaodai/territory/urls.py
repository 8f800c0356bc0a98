from django.urls import path

from phaodai.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<str:code>/", views.unit, name="unit"),
    path("<str:code>/areas/add/", views.area_add, name="area_add"),
    path("<str:code>/areas/import/", views.area_import, name="area_import"),
    path("<str:code>/areas/import/result/", views.import_result, name="import_result"),
    path("<str:code>/areas/import/report.csv", views.import_report, name="import_report"),
    path("<str:code>/areas/<str:local_code>/edit/", views.area_edit, name="area_edit"),
    path("<str:code>/areas/<str:local_code>/deactivate/", views.area_deactivate, name="area_deactivate"),
]
