"""Production deployment: several Streamlit processes behind nginx (``python -m deploy.serve``, ``make serve``)."""
