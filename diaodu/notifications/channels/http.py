"""HTTP for the channels: the standard library only, a timeout from the settings, no redirects.

`request()` answers the peer's status and body whatever the status, so that each channel reads
its peer's own error codes (a DingTalk errcode, an Aliyun Code) before falling back on the
status; a peer that cannot be reached is a retryable `ChannelError`. Addresses are written to
logs and errors only through `mask()`: a robot's address carries its access token.
"""

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from diaodu.notifications.channels import ChannelError

USER_AGENT = "Diaodu"
MAX_ANSWER_BYTES = 64 * 1024  # an answer is a short JSON object; never read a whole page


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook that redirects is a wrong address: answered as the 3xx it is."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def mask(url: str) -> str:
    """The address without its secrets: every query value and any user:password hidden."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(invalid address)"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    query = "&".join(
        f"{name}={value[:4]}…" if value else name
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, query, ""))


def timeout() -> float:
    return float(settings.DIAODU_CHANNEL_TIMEOUT)


def request(
    url: str, *, data: bytes | None = None, headers: dict | None = None, method: str = ""
) -> Answer:
    """Send one request and return the answer, whatever its status.

    Raises a retryable ChannelError when the peer cannot be reached or does not answer within
    DIAODU_CHANNEL_TIMEOUT seconds, and a final one for an address that is not http(s).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChannelError(
            _("%(address)s is not an http:// or https:// address.") % {"address": mask(url)},
            retryable=False,
        )
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"))
    req.add_header("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        # Built for each request: the proxy (HTTPS_PROXY, NO_PROXY) is read from the environment.
        opener = urllib.request.build_opener(_NoRedirects)
        with opener.open(req, timeout=timeout()) as response:
            return Answer(response.status, response.read(MAX_ANSWER_BYTES), dict(response.headers))
    except urllib.error.HTTPError as error:
        with error:
            body = error.read(MAX_ANSWER_BYTES) if error.fp else b""
        return Answer(error.code, body, dict(error.headers or {}))
    except TimeoutError as error:
        raise ChannelError(_unreachable(url, _("no answer in time"))) from error
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise ChannelError(_unreachable(url, _("no answer in time"))) from error
        raise ChannelError(_unreachable(url, str(reason))) from error
    except (OSError, http.client.HTTPException) as error:  # reset, closed mid-answer ...
        raise ChannelError(_unreachable(url, str(error) or type(error).__name__)) from error


def _unreachable(url: str, reason: str) -> str:
    host = urllib.parse.urlsplit(url).hostname or ""
    return _("Could not reach %(host)s: %(reason)s.") % {"host": host, "reason": reason}


def status_error(peer: str, answer: Answer) -> ChannelError:
    """The error for an answer whose status is not 2xx: retryable for 5xx, 408 and 429."""
    retryable = answer.status >= 500 or answer.status in (408, 429)
    return ChannelError(
        _("%(peer)s answered HTTP %(status)s: %(text)s")
        % {"peer": peer, "status": answer.status, "text": answer.text()[:200].strip()},
        retryable=retryable,
    )


def robot_answer(peer: str, answer: Answer, *, retryable: set[int], hints: dict) -> None:
    """Read a chat robot's answer (DingTalk, WeCom): HTTP 200 with {"errcode": 0} is taken.

    Any other errcode raises, retryable if it is in `retryable`, with the peer's errmsg and the
    hint for its code (`hints`) for the person reading the outbox.
    """
    if answer.status != 200:
        raise status_error(peer, answer)
    try:
        result = json.loads(answer.body)
        errcode = int(result.get("errcode", -2))
    except (ValueError, TypeError, AttributeError):
        raise ChannelError(
            _("The answer of %(peer)s is not its JSON: %(text)s")
            % {"peer": peer, "text": answer.text()[:200]},
            retryable=False,
        ) from None
    if errcode == 0:
        return
    text = _("%(peer)s refused the message: errcode %(errcode)s, %(errmsg)s") % {
        "peer": peer,
        "errcode": errcode,
        "errmsg": str(result.get("errmsg", ""))[:200],
    }
    if errcode in hints:
        text = _("%(error)s (%(hint)s)") % {"error": text, "hint": hints[errcode]}
    raise ChannelError(text, retryable=errcode in retryable)
