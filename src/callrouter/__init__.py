"""callrouter: IVR-free call routing for municipal switchboards."""

__version__ = "0.1.0"
