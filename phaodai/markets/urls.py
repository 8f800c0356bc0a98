"""Pages of markets (namespace "markets", mounted under /markets/): the registry and schemes, allocation and
printing, the gate, street-vending reports, prices and shortages. Each part keeps its own list."""

from phaodai.markets.urls_gate import urlpatterns as gate
from phaodai.markets.urls_prices import urlpatterns as prices
from phaodai.markets.urls_registry import urlpatterns as registry
from phaodai.markets.urls_schemes import urlpatterns as schemes

app_name = "markets"

urlpatterns = [*registry, *schemes, *gate, *prices]
