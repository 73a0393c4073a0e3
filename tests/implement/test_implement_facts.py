"""The facts the generator does not honour are found wherever a doc spells them."""

from __future__ import annotations

import pytest

from skillpack.implement._facts import username_suffix
from skillpack.tools import ParseApiDocIn, parse_api_doc

DOC = """# Support API

## Overview

- **Source name:** `support`
- **Base URL:** `https://support.example/api/v2`

## Authentication

- **Kind:** `basic`

The connector uses API token authentication (HTTP Basic):

```
Authorization: Basic base64("{form}:<api_token>")
```

## Tables

### `users`

- **Primary key:** `id`
- **Ingestion type:** `snapshot`
- **Read endpoint:** `GET /users`
- **Pagination:** `none`
"""


@pytest.mark.parametrize("form", ["<email>/token", "{email}/token", "email/token"])
def test_a_username_suffix_is_found_in_each_spelling(tmp_path, form):
    path = tmp_path / "support_api_doc.md"
    text = DOC.replace("{form}", form)
    path.write_text(text)
    suffix = username_suffix(parse_api_doc(ParseApiDocIn(path=str(path))), text.splitlines())
    assert suffix == "/token"


def test_plain_basic_auth_has_no_suffix_to_report(tmp_path):
    path = tmp_path / "support_api_doc.md"
    text = DOC.replace("{form}", "<username>:<password>").replace(":<api_token>", "")
    path.write_text(text)
    assert username_suffix(parse_api_doc(ParseApiDocIn(path=str(path))), text.splitlines()) is None


def test_a_host_placeholder_before_a_path_is_no_username_suffix(tmp_path):
    path = tmp_path / "support_api_doc.md"
    text = DOC.replace("{form}", "<username>:<password>").replace(
        "- **Kind:** `basic`", "- **Kind:** `basic`\n- **Base URL:** `https://<your_url>/api/v1`"
    )
    path.write_text(text)
    assert username_suffix(parse_api_doc(ParseApiDocIn(path=str(path))), text.splitlines()) is None
