"""A private Dovecot IMAP server for the tests: own config, loopback only, TLS with a fresh cert.

It never touches the system's dovecot service: everything lives in a temporary folder.
"""

import getpass
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# This project's share of the machine's ports; the first free one is used, so two runs can overlap.
IMAPS_PORTS = range(14301, 14310)


def free_port():
    for port in IMAPS_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 14301–14309 for the test IMAP server")

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
{ssl_dh}
auth_mechanisms = plain
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
{auth_service}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    ca_file: str
    log_file: Path


def dovecot_binary():
    return shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if os.path.exists(p)), None)


def start(root, port=None):
    """Start Dovecot under `root`; returns (process, ImapServer)."""
    root = Path(root)
    port = port or free_port()
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
        check=True, capture_output=True,
    )
    (root / "passwd").write_text("urp:{PLAIN}imap-test-password\n")
    user = getpass.getuser()
    is_root = os.getuid() == 0
    uid, gid = os.getuid(), os.getgid()
    if is_root:
        # Dovecot never opens mail as root: the mailbox belongs to its own unprivileged user.
        owner = pwd.getpwnam("dovecot")
        uid, gid = owner.pw_uid, owner.pw_gid
        root.chmod(0o755)
        os.chown(root / "mail", uid, gid)
    (root / "dovecot.conf").write_text(
        CONFIG.format(
            root=root,
            port=port,
            uid=uid,
            gid=gid,
            internal_user="dovecot" if is_root else user,
            login_user="dovenull" if is_root else user,
            # The temporary folder is private to us: the passwd-file reader must run as us too.
            auth_service=f"service auth {{\n  user = {user}\n}}",
            ssl_dh="ssl_dh = </usr/share/dovecot/dh.pem" if os.path.exists("/usr/share/dovecot/dh.pem") else "",
        )
    )
    process = subprocess.Popen(
        [dovecot_binary(), "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("dovecot stopped: " + process.stdout.read().decode(errors="replace"))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        raise RuntimeError("dovecot did not start listening")
    return process, ImapServer("127.0.0.1", port, "urp", "imap-test-password", str(root / "cert.pem"), root / "dovecot.log")
