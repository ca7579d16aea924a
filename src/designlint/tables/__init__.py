"""The option tables of the rule families: ``tables/<family>.py`` holds the ``options_table``
classes of ``rules/<family>.py``. The configuration is read on every run, a warm one and
``--show-settings`` included, so these modules import neither a rule nor LibCST
(``tests/test_startup.py`` checks)."""
