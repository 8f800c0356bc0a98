"""Pages of the cases app: isolation (included by urls.py under the "cases" namespace)."""

from django.urls import URLPattern, path

from phaodai.cases import views_isolation as orders
from phaodai.cases import views_isolation_checks as checks

urlpatterns: list[URLPattern] = [
    path("isolation/", orders.home, name="isolation"),
    path("isolation/new/", orders.order_new, name="isolation_new"),
    path("isolation/<int:pk>/", orders.order_detail, name="isolation_order"),
    path("isolation/<int:pk>/monitoring/", orders.order_monitoring, name="isolation_monitoring"),
    path("isolation/<int:pk>/release/", orders.order_release, name="isolation_release"),
    path("isolation/<int:pk>/cancel/", orders.order_cancel, name="isolation_cancel"),
    path("isolation/<int:pk>/follow-up/", checks.follow_up, name="isolation_follow_up"),
    path("isolation/worklist/", checks.worklist, name="isolation_worklist"),
    path("isolation/worklist/print/", checks.worklist_print, name="isolation_worklist_print"),
    path("isolation/lost/", checks.lost, name="isolation_lost"),
]
