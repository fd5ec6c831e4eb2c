"""From an e-mail's body to the plain text a handler reads: HTML made safe, quoted history cut."""

import re
import unicodedata

import nh3
from bs4 import BeautifulSoup

# Tags whose structure matters for line breaks; nh3 drops everything else (and script/style content).
BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "pre", "hr"}

PARAGRAPH_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "table"]


def html_to_text(html):
    """Readable text from an HTML e-mail; no markup survives, so nothing can run in the admin."""
    clean = nh3.clean(html, tags=BLOCK_TAGS, attributes={}, strip_comments=True)
    soup = BeautifulSoup(clean, "html.parser")
    for tag in soup.find_all(["br", "hr"]):
        tag.replace_with("\n")
    for tag in soup.find_all(PARAGRAPH_TAGS):
        tag.insert_after("\n\n")
    for tag in soup.find_all(["div", "li", "tr"]):
        tag.insert_after("\n")
    for tag in soup.find_all(["td", "th"]):
        tag.insert_after(" ")
    return tidy(soup.get_text())


def tidy(text):
    """No control characters, no trailing spaces, at most one empty line in a row."""
    text = "".join(ch for ch in text.replace("\r\n", "\n").replace("\r", "\n")
                   if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Where mail clients start the quoted history, in the languages of our patients.
QUOTE_STARTS = [
    re.compile(r"^-{2,}\s*(original message|messaggio originale|mensaje original)\s*-{2,}$", re.I),
    re.compile(r"^_{10,}$"),  # Outlook's separator line above "From: … Sent: …"
    # "On 30 Nov 2026, URP <urp@…> wrote:" – with a date in it, so "Il medico mi ha scritto:" stays.
    re.compile(r"^(on|il giorno|il|el)\s.*\d.*(wrote|ha scritto|escribió):$", re.I),
]
HEADER_BLOCK_START = re.compile(r"^\*?(from|da|de):\*?\s", re.I)
HEADER_BLOCK_NEXT = re.compile(r"^\*?(sent|date|inviato|data|enviado|fecha|to|a|para):\*?\s", re.I)


def trim_quoted(text):
    """The new part of a reply: what comes before the quoted e-mail it answers."""
    lines = text.split("\n")
    kept = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        joined = f"{stripped} {lines[index + 1].strip()}" if index + 1 < len(lines) else stripped
        if any(pattern.match(stripped) or pattern.match(joined) for pattern in QUOTE_STARTS):
            break
        following = [candidate.strip() for candidate in lines[index + 1:index + 4]]
        if HEADER_BLOCK_START.match(stripped) and any(HEADER_BLOCK_NEXT.match(candidate) for candidate in following):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    return tidy("\n".join(kept))
