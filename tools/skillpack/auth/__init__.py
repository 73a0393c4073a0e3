"""Credentials: ``write_credentials`` (agents and CI), ``validate_auth``, and the
one-time browser form for people (``skillpack.auth.form``).
"""

from __future__ import annotations

from skillpack.auth.credentials import WriteCredentialsIn, WriteCredentialsOut, write_credentials
from skillpack.auth.validate import ValidateAuthIn, ValidateAuthOut, validate_auth

__all__ = [
    "ValidateAuthIn",
    "ValidateAuthOut",
    "WriteCredentialsIn",
    "WriteCredentialsOut",
    "validate_auth",
    "write_credentials",
]
