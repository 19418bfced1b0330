"""``python -m lambdad.client``: the same as ``lambdadctl``."""

from lambdad.client.cli import main

raise SystemExit(main())
