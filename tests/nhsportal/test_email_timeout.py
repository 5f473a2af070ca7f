"""A mail server that accepts the connection and then says nothing must not hold a worker for
ever: every SMTP send gives up after EMAIL_TIMEOUT seconds (10 unless the environment says)."""

import os
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail

ROOT = Path(__file__).resolve().parents[2]
SHOW_TIMEOUT = "from django.conf import settings; print(settings.EMAIL_TIMEOUT)"


def _shell(**env):
    clean = {k: v for k, v in os.environ.items() if k != "EMAIL_TIMEOUT"}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW_TIMEOUT],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_timeout_is_ten_seconds_unless_the_environment_sets_it():
    assert _shell().stdout.strip() == "10"
    assert _shell(EMAIL_TIMEOUT="3").stdout.strip() == "3"


def test_a_timeout_that_is_not_a_number_stops_the_portal_naming_the_variable():
    result = _shell(EMAIL_TIMEOUT="ten")

    assert result.returncode != 0
    assert "EMAIL_TIMEOUT must be a whole number; got 'ten'" in result.stderr


@pytest.fixture
def silent_mail_server():
    """A listening socket that completes the TCP handshake and never sends SMTP's greeting."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def test_a_send_to_a_silent_mail_server_fails_within_the_timeout(settings, silent_mail_server):
    settings.EMAIL_TIMEOUT = 1
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent_mail_server
    settings.EMAIL_USE_TLS = False
    connection = mail.get_connection("django.core.mail.backends.smtp.EmailBackend")

    started = time.monotonic()
    # smtplib reports the socket's timeout as the server having gone away.
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        mail.send_mail("Reminder", "Your return is due.", None, ["lead@example.nhs.uk"], connection=connection)

    assert time.monotonic() - started < 5
