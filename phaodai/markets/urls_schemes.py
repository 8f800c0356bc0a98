"""Pages of markets: the schemes part (included by urls.py): schemes, allocation runs, printing."""

from django.urls import URLPattern, path

from phaodai.markets import views_schemes as schemes

urlpatterns: list[URLPattern] = [
    path("schemes/", schemes.scheme_list, name="schemes"),
    path("schemes/new/", schemes.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/", schemes.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/edit/", schemes.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/withdraw/", schemes.scheme_withdraw, name="scheme_withdraw"),
    path("schemes/<int:pk>/allocate/", schemes.scheme_allocate, name="scheme_allocate"),
    path("schemes/<int:pk>/areas/<str:area_code>/", schemes.scheme_area, name="scheme_area"),
    path("schemes/<int:pk>/areas/<str:area_code>/sheet.pdf", schemes.scheme_sheet, name="scheme_sheet"),
]
