"""PBX adapters: one pure translate module per PBX plus its connection."""
