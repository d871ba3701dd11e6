"""``python -m claimgraph``."""

from .cli import main

main()
