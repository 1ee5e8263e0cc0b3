from django.urls import path
from django.views.generic import RedirectView

from dashboards.views.ads import ads
from dashboards.views.changes import changes
from dashboards.views.inventory import inventory_page
from dashboards.views.overview import overview
from dashboards.views.sales import sales_page
from dashboards.views.search import search
from dashboards.views.social import social

app_name = "dashboards"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboards:overview"), name="index"),
    path("overview/", overview, name="overview"),
    path("ads/", ads, name="ads"),
    path("search/", search, name="search"),
    path("sales/", sales_page, name="sales"),
    path("inventory/", inventory_page, name="inventory"),
    path("social/", social, name="social"),
    path("changes/", changes, name="changes"),
]
