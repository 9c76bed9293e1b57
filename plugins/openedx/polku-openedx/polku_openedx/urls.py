"""URLs, mounted by edx-platform under ^api/polku/ (apps.py plugin_app)."""

from django.urls import path

from . import views

app_name = "polku_openedx"

urlpatterns = [
    path("v1/recommendations/", views.RecommendationsView.as_view(), name="recommendations"),
    path("v1/feedback/", views.FeedbackView.as_view(), name="feedback"),
    path("v1/profile/", views.ProfileView.as_view(), name="profile"),
    path("v1/opt-out/", views.OptOutView.as_view(), name="opt-out"),
    path("v1/widget/", views.WidgetView.as_view(), name="widget"),
    path("v1/widget/open/", views.WidgetOpenView.as_view(), name="widget-open"),
]
