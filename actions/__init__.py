"""Custom actions of the assistant (rasa-sdk).

The action server imports every module of this package and registers each
concrete ``Action``; modules hold one concern each and stay thin: the domain
logic lives in ``knowledge`` and in the plain-function modules here.
"""
