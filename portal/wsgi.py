"""The WSGI entry point for application servers: `gunicorn -c gunicorn.conf.py` serves `portal.wsgi:app`."""

from portal import create_app

app = create_app()
