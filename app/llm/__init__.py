"""The model layer: providers that turn a generation request into a typed output."""
