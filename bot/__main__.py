"""Entry point for ``python -m bot``; the same as the ``briefbot`` console script."""

from bot.cli import main

raise SystemExit(main())
