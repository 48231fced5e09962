"""``python -m databugs.cli``: the command line."""

from databugs.cli import main

main()
