"""A complaint through a live site over HTTP, as a patient and a handler meet it (stdlib only).

    python journey.py http://127.0.0.1:8141 /complaint-form/ MAIL_DIR

Real CSRF tokens and cookies, an Origin header on every POST, e-mails read from the file backend.
"""

import email
import email.policy
import html
import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PATIENT = "maria.rossi@example.com"


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path, data=None, fetch_site="same-origin"):
        headers = {"Sec-Fetch-Site": fetch_site, "User-Agent": "wagtail-complaints-integration"}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers.update({"Origin": self.base, "Referer": self.base + path})
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode(errors="replace")

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)

    def post(self, path, data):
        return self.request(path, data=data)


def expect(condition, what, page=""):
    if not condition:
        raise SystemExit(f"FAILED: {what}\n{page[:3000]}")
    print("ok:", what)


def hidden(page, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', page) or re.search(rf'value="([^"]*)" name="{name}"', page)
    return html.unescape(match.group(1)) if match else ""


def messages_to(mail_dir, recipient):
    """Every e-mail the file backend wrote for `recipient`, oldest first, as (subject, text)."""
    found = []
    for path in sorted(Path(mail_dir).glob("*.log"), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_text(encoding="utf-8").split("\n" + "-" * 79 + "\n"):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk, policy=email.policy.default)
            if recipient not in str(message["To"] or ""):
                continue
            text = message.get_body(preferencelist=("plain",))
            found.append((str(message["Subject"]), text.get_content() if text else ""))
    return found


def wait_for_mail(mail_dir, recipient, count):
    for _ in range(60):
        found = messages_to(mail_dir, recipient)
        if len(found) >= count:
            return found
        time.sleep(0.5)
    return messages_to(mail_dir, recipient)


def main(base, form_url, mail_dir):
    patient = Browser(base)

    status, _, page = patient.get(form_url, fetch_site="none")
    expect(status == 200, f"the complaint form page {form_url} answers 200", page)
    expect("/static/wagtail_complaints/complaints.css" in page, "the form page links the app's stylesheet", page)
    expect('name="service"' not in page, "a new site with no services does not ask for one", page)
    status, _, css = patient.get("/static/wagtail_complaints/complaints.css")
    expect(status == 200 and ".wc" in css, "the stylesheet is served from the installed wheel")
    category = re.search(r'<select name="category"[^>]*>.*?<option value="(\d+)"', page, re.S)
    expect(category is not None, "the default classification is offered", page)

    status, _, landing = patient.post(
        form_url,
        {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
            "submission_key": hidden(page, "submission_key"),
            "category": category.group(1),
            "description": "I waited six hours in the emergency department with no news.",
            "first_name": "Maria",
            "last_name": "Rossi",
            "email": PATIENT,
            "phone": "",
            "contact_preference": "email",
            "privacy_accepted": "on",
            "website": "",
        },
    )
    expect(status == 200, "the complaint is accepted (real CSRF token, Origin header)", landing)
    reference = re.search(r'class="wc-reference"><strong>(?:<span[^>]*>)?([^<]+)(?:</span>)?</strong>', landing)
    expect(reference is not None, "the confirmation page shows the reference number", landing)
    reference = reference.group(1)
    print("reference:", reference)

    mails = wait_for_mail(mail_dir, PATIENT, 1)
    expect(len(mails) == 1 and reference in mails[0][0] + mails[0][1], "the patient is e-mailed the reference")
    link = re.search(r"https?://[^/\s]+(/[^\s]*complaints/[A-Za-z0-9_-]{20,}/)", mails[0][1])
    expect(link is not None, "the acknowledgement carries the private link", mails[0][1])
    private_path = link.group(1)

    status, _, follow_up = Browser(base).get(private_path, fetch_site="none")  # opened from the mail client
    expect(status == 200 and reference in follow_up, "the private link opens the follow-up page", follow_up)

    office = Browser(base)
    status, _, login = office.get("/admin/login/")
    expect(status == 200, "the admin login page answers", login)
    status, url, dashboard = office.post(
        "/admin/login/",
        {"csrfmiddlewaretoken": hidden(login, "csrfmiddlewaretoken"), "username": "handler", "password": "handler-password", "next": "/admin/"},
    )
    expect(status == 200 and url.rstrip("/").endswith("/admin"), "the handler logs into the admin", dashboard)
    expect("Complaints" in dashboard, "the admin dashboard shows the complaints panel", dashboard)
    status, _, inbox = office.get("/admin/complaints/")
    expect(status == 200 and reference in inbox, "the inbox lists the new complaint", inbox)
    inspect = re.search(r'href="(/admin/complaints/inspect/\d+/)"', inbox)
    expect(inspect is not None, "the inbox links the complaint", inbox)
    status, _, complaint = office.get(inspect.group(1))
    expect(status == 200 and reference in complaint, "the handler opens the complaint", complaint)
    expect("Taken in charge" in complaint, "opening it takes it in charge", complaint)

    mails = wait_for_mail(mail_dir, PATIENT, 2)
    expect(len(mails) == 2 and reference in mails[1][0] + mails[1][1], "the patient is told it was taken in charge")
    status, _, follow_up = Browser(base).get(private_path, fetch_site="none")
    expect("Being looked into" in follow_up, "the follow-up page shows the new state", follow_up)
    print("journey: complete")


if __name__ == "__main__":
    main(*sys.argv[1:4])
