"""The live preview (`sitegen serve`) and the rebuild session it shares with `sitegen build --watch`."""
