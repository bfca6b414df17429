"""`python -m bench`: see bench/cli.py for the options."""

from bench.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
