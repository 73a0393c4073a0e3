"""connector-skillpack: build Lakeflow-style data-source connectors one verified step at a time.

The public surface is deliberately small; import the sub-packages for more:

- ``skillpack.sdk``: the connector base class, schema model and REST toolkit;
- ``skillpack.testing``: the generic and write-back pytest suites;
- ``skillpack.tools``: the typed tool functions that skills and agents call.
"""

from skillpack.errors import AuthError, GateFailed, InputError, SkillpackError, SourceError

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "GateFailed",
    "InputError",
    "SkillpackError",
    "SourceError",
    "__version__",
]
