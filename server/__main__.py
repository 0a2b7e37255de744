"""`python -m server run|shell ...`: Rasa's CLI (same arguments) with server/speedups.py applied."""

import sys

from server import speedups

if __name__ == "__main__":
    speedups.apply()
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    main()
