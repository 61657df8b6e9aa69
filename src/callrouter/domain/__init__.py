"""The pure domain core: no asyncio, no I/O; time is always passed in."""
