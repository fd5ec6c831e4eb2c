"""A loopback SMTP server (aiosmtpd) that records every message it accepts, and can hold a
conversation open in the middle, as a slow or hung mail server would."""

import asyncio
import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller


def free_port(first, last):
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


class RecordingHandler:
    def __init__(self):
        self.messages = []
        self.recipients = []  # the envelope's, one list per message
        self.hold_before_accepting = threading.Event()  # the client waits on RCPT: nothing accepted yet
        self.hold_after_accepting = threading.Event()  # the message is stored, the "250" not yet sent
        self.holding = threading.Event()

    async def _hold(self, flag):
        self.holding.set()
        while flag.is_set():
            await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold_before_accepting.is_set():
            await self._hold(self.hold_before_accepting)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        if self.hold_after_accepting.is_set():
            await self._hold(self.hold_after_accepting)
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for message, to in zip(self.messages, self.recipients) if address in to]


class SMTPSink:
    """`with SMTPSink(port) as sink:` ... `sink.handler.messages`."""

    def __init__(self, port):
        self.port = port
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.handler.hold_before_accepting.clear()
        self.handler.hold_after_accepting.clear()
        self.controller.stop()


def wait_for(condition, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
