#!/bin/sh
# The container's entry point: publish the static files of this image to the volume nginx
# serves /static/ from (DIAODU_STATIC_EXPORT, set for the web service only), then run the
# command. Files of earlier images stay: their names carry a hash, and a page still open in a
# browser after an upgrade may ask for them.
set -eu
if [ -n "${DIAODU_STATIC_EXPORT:-}" ]; then
    cp -R /app/static/. "$DIAODU_STATIC_EXPORT"/
fi
exec "$@"
