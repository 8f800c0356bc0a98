"""Pages of markets: street-vending reports and prices (included by urls.py).

The public report page is open to everyone; the rest is scoped to the officer's or keeper's units.
"""

from django.urls import URLPattern, path

from phaodai.markets import views_prices, views_reports

urlpatterns: list[URLPattern] = [
    # Residents: report a temporary market or street vending (anonymous, limited per device).
    path("report/", views_reports.vending_public, name="vending_public"),
    # Ward officers: the reports of their units and their handling.
    path("vending/", views_reports.vending_list, name="vending_list"),
    path("vending/new/", views_reports.vending_new, name="vending_new"),
    path("vending/<int:pk>/", views_reports.vending_detail, name="vending_detail"),
    path("vending/<int:pk>/move/", views_reports.vending_move, name="vending_move"),
    # Prices and supply: the board, a market's day of prices, shortages.
    path("prices/", views_prices.prices_board, name="prices_board"),
    path("prices/<str:code>/", views_prices.prices_report, name="prices_report"),
    path("prices/<str:code>/shortage/", views_prices.shortage_report, name="shortage_report"),
    path("shortages/<int:pk>/resolve/", views_prices.shortage_resolve, name="shortage_resolve"),
]
