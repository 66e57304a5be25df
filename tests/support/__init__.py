"""Helpers shared by Alongside's tests."""
