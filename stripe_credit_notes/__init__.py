"""Typed client for Stripe Credit Notes."""
