"""Pages of clusters (ổ dịch): the list, and one cluster with its chain of transmission.

The chain is drawn in the browser by the vendored Cytoscape.js from `cluster_graph` (labels and levels
only: no names, no person ids); the same links are listed in a plain table, which is all a browser
without JavaScript shows. Names appear only in the side list, for officers tracing where each lives.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from phaodai.cases import pages_support, selectors
from phaodai.cases.models import Cluster


@login_required
@require_GET
def clusters(request: HttpRequest) -> HttpResponse:
    """Active, closed or merged clusters the officer sees, latest case first."""
    selectors.require_tracer(request.user)
    status = request.GET.get("status") or Cluster.Status.ACTIVE
    if status not in Cluster.Status.values:
        status = Cluster.Status.ACTIVE
    page = pages_support.cluster_page(request.user, status, pages_support.cursor(request.GET.get("after")))
    context = {
        "status": status,
        "statuses": Cluster.Status.choices,
        "page": page,
        "next_query": urlencode({"status": status, "after": page.next_after}) if page.next_after else "",
    }
    return render(request, "cases/clusters.html", context)


@login_required
@require_GET
def cluster(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selectors.require_tracer(user)
    found = selectors.cluster_for(user, pk)
    drawn = pages_support.chain(found)
    context = {
        "cluster": found,
        "chain": drawn,
        "listed": pages_support.listed_nodes(user, drawn.nodes),
        "listed_max": pages_support.MAX_NODES_LISTED,
        "links": drawn.edges[: pages_support.MAX_LINKS_LISTED],
        "links_cut": len(drawn.edges) > pages_support.MAX_LINKS_LISTED,
        "cases": pages_support.cluster_cases(user, found),
    }
    return render(request, "cases/cluster.html", context)


@never_cache
@login_required
@require_GET
def cluster_graph(request: HttpRequest, pk: int) -> JsonResponse:
    """The drawing's data for the chain page: nodes (label, level, unknown source) and edges."""
    selectors.require_tracer(request.user)
    found = selectors.cluster_for(request.user, pk)
    return JsonResponse(pages_support.chain(found).as_json())
