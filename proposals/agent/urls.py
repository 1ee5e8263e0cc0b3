"""The AI call log's pages, included from proposals/urls.py under ai/ (namespace proposals)."""

from django.urls import path

from proposals.agent import views

urlpatterns = [
    path("", views.call_list, name="ai_calls"),
    path("run/", views.run_now, name="ai_run"),
    path("<int:pk>/", views.call_detail, name="ai_call"),
]
