"""The public surface is pinned here: growing ``skillpack.__all__`` is an API decision.

The direction of imports between the package's rooms is pinned in ``test_architecture.py``.
"""

from __future__ import annotations

import skillpack


def test_top_level_exports_are_exactly_these():
    assert sorted(skillpack.__all__) == [
        "AuthError",
        "GateFailed",
        "InputError",
        "SkillpackError",
        "SourceError",
        "__version__",
    ]
    for name in skillpack.__all__:
        assert hasattr(skillpack, name)
