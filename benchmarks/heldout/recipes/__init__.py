"""Recipes of the held-out incident split: worlds (domains and their tables) and the cases built on them."""
