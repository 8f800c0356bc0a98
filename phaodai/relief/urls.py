"""Pages of relief (namespace "relief", mounted under /relief/): the stocks board, donations, money
spent, a stock's ledger, transfers between wards, and food aid (the public request form and the
ward's worklist)."""

from django.urls import URLPattern, path

from phaodai.relief import views_food, views_stock

app_name = "relief"

urlpatterns: list[URLPattern] = [
    path("", views_stock.board, name="board"),
    path("donations/", views_stock.donations, name="donations"),
    path("donations/new/", views_stock.donation_new, name="donation_new"),
    path("money/", views_stock.money_page, name="money"),
    path("money/spend/", views_stock.money_spend, name="money_spend"),
    path("stock/<str:unit_code>/<slug:item_code>/", views_stock.stock, name="stock"),
    path(
        "stock/<str:unit_code>/<slug:item_code>/<str:action>/",
        views_stock.stock_action,
        name="stock_action",
    ),
    path("transfers/", views_stock.transfers, name="transfers"),
    path("transfers/new/", views_stock.transfer_new, name="transfer_new"),
    path("transfers/<int:pk>/", views_stock.transfer, name="transfer"),
    path("transfers/<int:pk>/move/", views_stock.transfer_move, name="transfer_move"),
    # Residents (anyone, anonymous, limited per device): ask for food.
    path("food/", views_food.food_public, name="food_public"),
    path("food-aid/", views_food.food_list, name="food_list"),
    path("food-aid/<int:pk>/", views_food.food_detail, name="food_detail"),
    path("food-aid/<int:pk>/<str:step>/", views_food.food_step, name="food_step"),
]
