"""The application's URLs plus the benchmark's floors (``bench/floor_views.py``)."""

from django.urls import path

from bench import floor_views
from config.urls import urlpatterns as application

urlpatterns = [
    path("bench/floor/constant/", floor_views.constant),
    path("bench/floor/tasks/", floor_views.tasks),
    path("bench/floor/rows/<str:name>/", floor_views.rows),
    *application,
]
