"""Sub-commands of the ``aggregator`` command line: each module has
``add_parser(subparsers)`` and a ``run(args) -> int`` set as the parser's ``func``."""
