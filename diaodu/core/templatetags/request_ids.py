"""`{% request_id %}`: the id of the request being served (diaodu.core.logs), or "".

Needs neither the request nor the database, so the plain error pages (400, 500, CSRF) can show
the id a user quotes to the office, which finds the request's log lines by it.
"""

from django import template

from diaodu.core.logs import current_request_id

register = template.Library()


@register.simple_tag
def request_id():
    return current_request_id()
