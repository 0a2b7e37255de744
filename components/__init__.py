"""Custom Rasa NLU components: thin adapters over the domain core in bot/."""
