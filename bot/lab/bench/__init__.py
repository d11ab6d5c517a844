"""The benchmark suite (`python -m bot.lab.bench`): indexing, incremental sync, latency, memory at scale."""
