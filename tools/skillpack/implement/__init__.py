"""The implement step's flavour-specific parts: helper module and upstream simulator files."""
