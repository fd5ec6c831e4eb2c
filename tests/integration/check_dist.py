"""The wheel and the sdist carry every file of the app, and nothing of the repository around it.

    python check_dist.py DIST_DIR REPO_DIR
"""

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

# Needed by a site: each must be in both archives (a sample of every kind; all app files are compared too).
MUST_HOLD = [
    "wagtail_complaints/templates/wagtail_complaints/admin/home_panel.html",
    "wagtail_complaints/templates/wagtail_complaints/complaint_form_page.html",
    "wagtail_complaints/templates/wagtail_complaints/emails/complainant/received.txt",
    "wagtail_complaints/static/wagtail_complaints/complaints.css",
    "wagtail_complaints/locale/it/LC_MESSAGES/django.mo",
    "wagtail_complaints/locale/es/LC_MESSAGES/django.po",
    "wagtail_complaints/migrations/0001_initial.py",
    "wagtail_complaints/management/commands/send_complaint_emails.py",
]
MUST_NOT_START = ("example_site/", "tests/", "benchmarks/", "docs/", ".ci/")
MUST_NOT_CONTAIN = (".sqlite3", "sent_emails/", "private_media/", "__pycache__", ".pyc")


def app_files(repo):
    """Every file of the app tracked by git: the wheel must hold them all."""
    listed = subprocess.run(
        ["git", "ls-files", "wagtail_complaints"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    return {name for name in listed if (Path(repo) / name).is_file()}


def problems(names, expected, label):
    found = []
    missing = sorted(expected - names)
    if missing:
        found.append(f"{label} lacks {len(missing)} file(s) of the app, e.g. {missing[:5]}")
    for name in sorted(names):
        if name.startswith(MUST_NOT_START) or any(part in name for part in MUST_NOT_CONTAIN):
            found.append(f"{label} must not hold {name}")
    tops = {name.split("/")[0] for name in names if "/" in name and not name.split("/")[0].endswith(".dist-info")}
    if tops - {"wagtail_complaints"}:
        found.append(f"{label} installs other top-level packages: {sorted(tops - {'wagtail_complaints'})}")
    return found


def main(dist, repo):
    expected = app_files(repo) | set(MUST_HOLD)
    (wheel,) = Path(dist).glob("*.whl")
    (sdist,) = Path(dist).glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        wheel_names = {name for name in archive.namelist() if not name.endswith("/")}
    with tarfile.open(sdist) as archive:
        # Drop the "wagtail_complaints-0.1.0/" prefix and the sdist's own metadata files.
        sdist_names = {
            member.name.split("/", 1)[1] for member in archive.getmembers() if member.isfile() and "/" in member.name
        }
    sdist_names -= {"PKG-INFO", "setup.cfg", "pyproject.toml", "README.md", "MANIFEST.in"}
    sdist_names = {name for name in sdist_names if not name.startswith("wagtail_complaints.egg-info/")}
    found = problems(wheel_names, expected, wheel.name) + problems(sdist_names, expected, sdist.name)
    for line in found:
        print("dist check:", line)
    if found:
        raise SystemExit(1)
    print(f"dist check: {wheel.name} ({len(wheel_names)} files) and {sdist.name} ({len(sdist_names)} files) hold the app and only the app")


if __name__ == "__main__":
    main(*sys.argv[1:3])
