"""Outgoing e-mail: plain-text messages sent through the operator's SMTP server.

Sending happens after the request's transaction has committed and after its response is sent,
so a slow or broken mail server never delays an answer, fails a request, or (by the time an
answer takes) tells a client whether an address has an account. A failed send is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from functools import partial

import aiosmtplib
import structlog
from fastapi import BackgroundTasks
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.config import Settings
from questpath.db import after_commit

log = structlog.get_logger("questpath.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str  # plain text
    kind: str  # what it is, for the log: "password_reset", "verify_email"


def message(mail: Mail, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    sender_domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2]
    msg["Message-ID"] = make_msgid(domain=sender_domain or None)
    # Tells auto-responders and vacation replies to stay quiet.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.body)
    return msg


async def send(mail: Mail, settings: Settings) -> bool:
    """Send `mail`; returns whether the server accepted it. Never raises for a failed send."""
    try:
        await aiosmtplib.send(
            message(mail, settings),
            hostname=settings.smtp_host,
            port=settings.smtp_port_or_default,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() or None,
            use_tls=settings.smtp_tls,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        log.warning(
            "mail_not_sent",
            kind=mail.kind,
            smtp_host=settings.smtp_host,
            error=f"{type(exc).__name__}: {exc}",
        )
        return False
    log.info("mail_sent", kind=mail.kind)
    return True


def send_after_commit(
    session: AsyncSession, background: BackgroundTasks, mail: Mail | None, settings: Settings
) -> None:
    """Send `mail` once the request's unit of work has committed and its response is sent; a
    link whose token was rolled back is never mailed."""
    if mail is not None:
        after_commit(session, partial(background.add_task, send, mail, settings))
