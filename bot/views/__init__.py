"""Evidence views of an answer and of the corpus: timeline, outlet comparison, quotes, scope, examples."""
