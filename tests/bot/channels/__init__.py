"""Tests of the messaging-app channels."""
