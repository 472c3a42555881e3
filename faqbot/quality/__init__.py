"""Layer 5, quality: evaluating routing on labelled sets and linting a knowledge base."""
