from django.utils.functional import SimpleLazyObject

from diaodu.notifications.models import Notification


def unread_notifications(request):
    """The bell's count (one query), for signed-in users: counted only when a template shows
    it, so that an htmx fragment (a saved row of the filing page) does not ask for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.visible_to(user).unread().count()
        )
    }
