"""The project's own error types: messages written for the person using the app."""


class AudioStudyError(ValueError):
    """An error whose message a user can act on.

    The Gradio adapters turn it into ``gr.Error(message)`` so the sentence reaches the UI
    and API callers unchanged; pure functions raise it for every bad input they reject.
    """


class ModelUnavailableError(AudioStudyError):
    """A model that cannot be loaded here (e.g. a Hub model that is not cached, offline)."""
