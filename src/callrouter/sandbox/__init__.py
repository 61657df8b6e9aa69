"""The sandbox: simulated callers and telephonist phones on a real Asterisk (tests, demo, bench).

It speaks AMI with its own small client, independent of the adapter under test, as the `sim`
user of the sandbox's manager.conf.
"""
