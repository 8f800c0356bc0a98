"""Pages of lockdowns and the KPI board (included by urls.py under the "cases" namespace)."""

from django.urls import URLPattern, path

from phaodai.cases import views_kpis, views_lockdowns

urlpatterns: list[URLPattern] = [
    path("lockdowns/", views_lockdowns.lockdowns_list, name="lockdowns"),
    path("lockdowns/new/", views_lockdowns.lockdown_new, name="lockdown_new"),
    path("lockdowns/<int:pk>/", views_lockdowns.lockdown_detail, name="lockdown"),
    path("lockdowns/<int:pk>/extend/", views_lockdowns.lockdown_extend, name="lockdown_extend"),
    path("lockdowns/<int:pk>/lift/", views_lockdowns.lockdown_lift, name="lockdown_lift"),
    path("kpis/", views_kpis.kpis_board, name="kpis"),
]
