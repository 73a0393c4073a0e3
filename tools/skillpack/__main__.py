"""``python -m skillpack``: the same as the ``skillpack`` command."""

from skillpack.cli import main

raise SystemExit(main())
