"""`python -m index`."""

from index.cli import main

raise SystemExit(main())
