#!/usr/bin/env python3
"""The web container's health check: GET /health/ from the local `diaodu serve`; 0 if 200.

The request carries the first allowed host name (DIAODU_ALLOWED_HOSTS) and says it came over
HTTPS, as nginx's requests do, so neither the host check nor DIAODU_SSL_REDIRECT turns it away.
Prints /health/'s answer, which names what is wrong (`docker inspect` shows it).
"""

import os
import sys
import urllib.error
import urllib.request

port = os.environ.get("DIAODU_WEB_PORT") or "8000"
hosts = [h.strip() for h in (os.environ.get("DIAODU_ALLOWED_HOSTS") or "").split(",")]
host = next((h.lstrip(".") for h in hosts if h and h != "*"), "localhost")
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/health/",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=8) as response:
        print(response.read(2000).decode(errors="replace"))
        sys.exit(0 if response.status == 200 else 1)
except urllib.error.HTTPError as error:
    print(error.code, error.read(2000).decode(errors="replace"))
except OSError as error:
    print(error)
sys.exit(1)
