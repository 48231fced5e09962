"""``python -m databugs``: the command line."""

from databugs.cli import main

main()
