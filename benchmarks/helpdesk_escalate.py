"""django-helpdesk's `escalate_tickets` over N due tickets, for the SLA sweep's comparison
(DESIGN.md: the sweep ≥ 50× faster per escalation). Runs in its own virtual environment,
never the project's:

    python3 -m venv /tmp/helpdesk-venv && /tmp/helpdesk-venv/bin/pip install django-helpdesk
    /tmp/helpdesk-venv/bin/python benchmarks/helpdesk_escalate.py [--tickets 5000]

Builds a fresh SQLite database (Django's migrations), one queue escalating after 1 day and
N open tickets opened 10 days ago (each with a submitter e-mail, so each escalation renders
and "sends" its mail through the locmem backend), times the management command and prints
the time per escalation.
"""

import argparse
import os
import tempfile
import time

import django
from django.conf import settings


def configure(path: str) -> None:
    settings.configure(
        DEBUG=False, SECRET_KEY="bench", USE_TZ=True, TIME_ZONE="UTC", SITE_ID=1,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
        INSTALLED_APPS=["django.contrib.admin", "django.contrib.auth",
                        "django.contrib.contenttypes", "django.contrib.sessions",
                        "django.contrib.messages", "django.contrib.staticfiles",
                        "django.contrib.sites", "django.contrib.humanize", "rest_framework",
                        "pinax.invitations", "pinax.teams", "account",
                        "helpdesk"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                    "APP_DIRS": True, "OPTIONS": {"context_processors": [
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                        "django.template.context_processors.request"]}}],
        MIDDLEWARE=[], ROOT_URLCONF=__name__, STATIC_URL="/static/",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField")
    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=5000)
    args = parser.parse_args()
    configure(os.path.join(tempfile.mkdtemp(prefix="helpdesk-"), "db.sqlite3"))
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone
    from helpdesk.models import Queue, Ticket

    from django.urls import include, path

    globals()["urlpatterns"] = [path("helpdesk/", include("helpdesk.urls"))]
    call_command("migrate", verbosity=0)
    queue = Queue.objects.create(title="Hotline", slug="hotline", escalate_days=1)
    old = timezone.now() - timedelta(days=10)
    Ticket.objects.bulk_create([
        Ticket(title=f"Leak {i}", queue=queue, status=Ticket.OPEN_STATUS, priority=3,
               submitter_email=f"caller{i}@example.org", description="water leak",
               created=old, modified=old) for i in range(args.tickets)])
    Ticket.objects.update(created=old)  # auto_now_add ignored the value above
    started = time.perf_counter()
    call_command("escalate_tickets")
    elapsed = time.perf_counter() - started
    escalated = Ticket.objects.filter(priority=2).count()
    print(f"django-helpdesk {args.tickets:,} due tickets: escalate_tickets {elapsed:.2f} s, "
          f"{escalated:,} escalated, {elapsed / max(escalated, 1) * 1e6:.0f} µs per "
          f"escalation; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
