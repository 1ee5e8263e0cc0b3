from django.urls import path

from proposals.rules import views

app_name = "rules"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/enable/", views.enable, name="enable"),
    path("<int:pk>/disable/", views.disable, name="disable"),
]
