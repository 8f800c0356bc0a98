"""Pages for authoring criteria tables and a ward's indicators (names in the "zoning" namespace)."""

from django.urls import URLPattern, path

from phaodai.zoning import views_authoring as views

urlpatterns: list[URLPattern] = [
    path("tables/", views.tables, name="tables"),
    path("tables/new/", views.table_new, name="table_new"),
    path("tables/<int:pk>/", views.table_detail, name="table_detail"),
    path("tables/<int:pk>/edit/", views.table_edit, name="table_edit"),
    path("tables/<int:pk>/publish/", views.table_publish, name="table_publish"),
    path("tables/<int:pk>/new-version/", views.table_new_version, name="table_new_version"),
    path("indicators/<str:code>/", views.indicators_page, name="indicators"),
    path("indicators/<str:code>/import/", views.indicators_import, name="indicators_import"),
    path("indicators/<str:code>/template.csv", views.indicators_template, name="indicators_template"),
]
