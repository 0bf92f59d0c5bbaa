"""``python -m synthgan ...``: the command line, as torchrun starts it (``torchrun -m synthgan fit ...``)."""

from synthgan.cli import main

main()
