"""The incident benchmark: replay incidents through the repair path, score the answers, report them."""
