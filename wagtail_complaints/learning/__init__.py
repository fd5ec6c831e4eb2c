"""Learning from complaints (issue 13): improvement actions, the second level, the public report.

An optional app on top of the complaints core: it reads the core's models and statistics and
changes complaints only through their audit trail; the core never imports it.
"""
