from django.urls import path

from agreements.open_data import views

app_name = "open_data"

urlpatterns = [
    path("", views.index, name="index"),
    path("datapackage.json", views.datapackage, name="datapackage"),
    path("<slug:name>.csv", views.table, name="table"),
]
