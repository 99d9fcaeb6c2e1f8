"""How the world reaches Prognoza: the Flask app, its API and web blueprints, and the CLI."""
