from diaodu.notifications.models import Notification


def unread_notifications(request):
    """The bell's count (one query), for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.visible_to(user).unread().count()}
