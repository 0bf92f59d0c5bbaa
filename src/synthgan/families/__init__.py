"""Model families: how each kind of data (tables, sequences, images) is fitted, sampled and saved.

``synthgan.Synthesizer(name)`` returns the subclass of the model's family; see ``synthesizer.py``.
"""
