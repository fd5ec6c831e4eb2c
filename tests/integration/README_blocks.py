"""The install blocks of the README, so CI applies exactly the text users paste.

    python README_blocks.py README.md settings >> site/settings/base.py
"""

import re
import sys


def block(readme_text, name):
    """The one fenced code block between <!-- install:NAME --> and <!-- /install:NAME -->."""
    section = re.search(rf"<!-- install:{name} -->(.*?)<!-- /install:{name} -->", readme_text, re.S)
    if section is None:
        raise SystemExit(f"README has no <!-- install:{name} --> section")
    fences = re.findall(r"```[a-z]*\n(.*?)```", section.group(1), re.S)
    if len(fences) != 1:
        raise SystemExit(f"README's install:{name} section must hold exactly one code block, not {len(fences)}")
    return fences[0]


if __name__ == "__main__":
    readme, name = sys.argv[1:3]
    with open(readme, encoding="utf-8") as f:
        sys.stdout.write("\n\n" + block(f.read(), name))
