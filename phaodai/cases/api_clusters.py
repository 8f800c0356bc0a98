"""The clusters API (/api/v1/clusters): outbreaks (ổ dịch) we may see, and each one's transmission graph.

A cluster is seen where its first case lives, or by anyone who sees one of its cases; elsewhere 404
(logged). The graph names persons by id only: no name, no CCCD.
"""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from phaodai.cases import rules, selectors
from phaodai.cases.api_schemas import ClusterPage, ClusterQuery, GraphOut
from phaodai.cases.models import Cluster
from phaodai.core.errors import InvalidInput

router = Router(tags=["cases"])


def _cluster(cluster: Cluster) -> dict[str, Any]:
    return {
        **{
            name: getattr(cluster, name)
            for name in (
                "id",
                "code",
                "name",
                "status",
                "first_case_at",
                "last_case_at",
                "cases_count",
                "contacts_count",
            )
        },
        "unit": {"code": cluster.unit.code, "name": cluster.unit.full_name},
        "merged_into": cluster.merged_into_id,
    }


@router.get(
    "",
    url_name="cases_cluster_list",
    response=ClusterPage,
    summary="Clusters we may see, latest case first (keyset pages)",
)
def list_clusters(request: HttpRequest, filters: Query[ClusterQuery]) -> dict[str, Any]:
    selectors.require_tracer(request.user)
    clusters = selectors.clusters_visible_to(request.user)
    if filters.status:
        clusters = clusters.filter(status=filters.status)
    if filters.after:
        anchor = clusters.filter(pk=filters.after).values_list("last_case_at", flat=True).first()
        if anchor is None:
            raise InvalidInput(_("This page link has expired; start the list again."), field="after")
        clusters = clusters.filter(Q(last_case_at__lt=anchor) | Q(last_case_at=anchor, pk__lt=filters.after))
    rows = list(clusters.order_by("-last_case_at", "-pk")[: filters.limit + 1])
    items = rows[: filters.limit]
    return {
        "items": [_cluster(c) for c in items],
        "next": items[-1].pk if len(rows) > filters.limit else None,
    }


@router.get(
    "/{pk}/graph",
    url_name="cases_cluster_graph",
    response=GraphOut,
    by_alias=True,
    summary="A cluster's transmission graph: persons (by id, with their level), who was traced through whom",
)
def cluster_graph(request: HttpRequest, pk: int) -> dict[str, Any]:
    selectors.require_tracer(request.user)
    cluster = selectors.cluster_for(request.user, pk)
    graph = selectors.cluster_graph(cluster, viewer=request.user)
    return {
        "cluster": _cluster(cluster),
        "nodes": [{**node, "f_level": rules.f_label(node["level"])} for node in graph["nodes"]],
        "edges": graph["edges"],
        "exposures": graph["exposures"],
    }
