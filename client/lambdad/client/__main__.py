"""``python -m lambdad.client``: the lambdad command line."""

from lambdad.client.cli import main

raise SystemExit(main())
