"""The heart of Prognoza: clients, their activity and what we predict about them.

Standard library only: nothing here knows about Flask, SQLAlchemy or scikit-learn.
"""
