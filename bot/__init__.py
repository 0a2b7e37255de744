"""Domain core of the lower back pain assistant: plain Python, no Rasa imports."""
