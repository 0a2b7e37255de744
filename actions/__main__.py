"""`python -m actions --actions actions`: the action server, ready before its first request.

spaCy's thinc probes for TensorFlow when imported; Rasa installs TensorFlow, and loading it
costs the action server seconds and hundreds of megabytes for nothing (no action uses it).
This entry point hides it, loads the domain core, then hands over to rasa_sdk's own CLI.
"""

import sys

sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]

from server import pinned, quiet  # noqa: E402

quiet.silence_dependencies()

from rasa_sdk.__main__ import main  # noqa: E402

from actions.state import engine  # noqa: E402

if __name__ == "__main__":
    pinned.check(pinned.ACTION_SERVER_PACKAGES, pinned.ACTION_SERVER_PLACES)
    engine()
    main()
