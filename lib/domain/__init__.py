"""Pure business rules: no Streamlit, no SQL, no clock reads (STYLE.md, Layers)."""
