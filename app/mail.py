"""Mail transports used by the outbox worker: SMTP in production, .eml files in development."""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)


def build_message(message_id: int, payload: dict[str, Any]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    # A stable Message-ID per outbox row lets mail systems drop a rare duplicate delivery.
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{message_id}", domain="cocreate.local")
    msg.set_content(payload["text"])
    return msg


def send_email(message_id: int, payload: dict[str, Any]) -> None:
    """Deliver one email with the configured backend; raises on failure."""
    msg = build_message(message_id, payload)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "file":
        _write_file(message_id, msg)
    elif backend == "smtp":
        _send_smtp(msg)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def _write_file(message_id: int, msg: EmailMessage) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message_id:06d}.eml"
    path.write_bytes(bytes(msg))
    log.warning("Mail to %s written to %s", msg["To"], path)


def _send_smtp(msg: EmailMessage) -> None:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
