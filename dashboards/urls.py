from django.urls import path
from django.views.generic import RedirectView

from dashboards.views.ads import ads
from dashboards.views.overview import overview
from dashboards.views.placeholder import placeholder_view
from dashboards.views.sales import sales_page

app_name = "dashboards"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboards:overview"), name="index"),
    path("overview/", overview, name="overview"),
    path("ads/", ads, name="ads"),
    path("search/", placeholder_view("search"), name="search"),
    path("sales/", sales_page, name="sales"),
    path("inventory/", placeholder_view("inventory"), name="inventory"),
    path("social/", placeholder_view("social"), name="social"),
    path("changes/", placeholder_view("changes"), name="changes"),
]
