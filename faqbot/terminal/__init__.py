"""Edge: the terminal front ends (the chat and the staff's interactive lookup)."""
