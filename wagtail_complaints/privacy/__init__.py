"""Privacy: removing a complainant's personal data (retention policy or their request), and
answering their access request with one file of everything stored about them.

A feature on top of the core: it changes complaints only through `anonymise.remove_personal_data`
and reads the core models; the core never imports it (wagtail_hooks.py registers it).
"""
