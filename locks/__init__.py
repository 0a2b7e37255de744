"""Lock stores that serialise the turns of one conversation across several Rasa processes."""
