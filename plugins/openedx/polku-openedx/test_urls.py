"""URLs of the adapter's tests: mounted as edx-platform mounts them."""

from django.urls import include, re_path

urlpatterns = [
    re_path(r"^api/polku/", include(("polku_openedx.urls", "polku_openedx"), namespace="polku_openedx")),
]
