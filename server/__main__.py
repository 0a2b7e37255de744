"""`python -m server run|shell ...`: Rasa's CLI (same arguments) with server/speedups.py applied and
the HTTP API behind a token, every request checked (server/protection.py)."""

import sys

from server import quiet

quiet.silence_dependencies()

from server import pinned, protection, speedups  # noqa: E402

if __name__ == "__main__":
    pinned.check(pinned.RASA_SERVER_PACKAGES, pinned.RASA_SERVER_PLACES)
    speedups.apply()
    protection.apply()
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    main()
