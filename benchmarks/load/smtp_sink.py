"""A loopback SMTP server for the load test: accepts every message and records it, one JSON line each.

    python benchmarks/load/smtp_sink.py --port 18031 --record /tmp/sink.jsonl

A message is written (and flushed) before the server answers 250, so the record holds exactly what
the mail server accepted. Stopped with SIGTERM; started again, it appends to the same record.
"""

import argparse
import json
import signal
import threading
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the server's lifetime
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        record = {
            "message_id": str(message.get("Message-ID", "")),
            "to": list(envelope.rcpt_tos),
            "subject": str(message.get("Subject", "")),
        }
        with self.lock:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True)
    args = parser.parse_args()
    controller = Controller(Recorder(args.record), hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"listening on 127.0.0.1:{args.port}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
