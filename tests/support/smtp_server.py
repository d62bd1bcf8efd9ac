#!/usr/bin/python3
"""A real SMTP server for tests (Debian's python3-aiosmtpd) that insists on STARTTLS and a
login, and keeps what it receives in a maildir.

    smtp_server.py PORT MAILDIR CERT KEY USER PASSWORD

Or a plain one that takes SECONDS to accept each message (a slow relay, to hold senders
in the middle of a send):

    smtp_server.py --slow SECONDS PORT MAILDIR
"""
import asyncio
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def serve(controller):
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if sys.argv[1] == "--slow":
    delay = float(sys.argv[2])

    class SlowMailbox(Mailbox):
        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(delay)
            return await super().handle_DATA(server, session, envelope)

    serve(Controller(SlowMailbox(sys.argv[4]), hostname="127.0.0.1", port=int(sys.argv[3])))
    sys.exit(0)

port, maildir, cert, key, user, password = sys.argv[1:7]

context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == user and auth_data.password.decode() == password)
    return AuthResult(success=ok)


serve(Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port),
                 tls_context=context, require_starttls=True,
                 authenticator=authenticate, auth_required=True,
                 auth_require_tls=True))
