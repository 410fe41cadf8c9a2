"""The floor (L1): a one-button Streamlit page, driven beside Duty Desk in the same load run.

Whatever a click costs here is Streamlit's own price (the socket, the script run, the deltas,
session state, the post-run collection); Duty Desk's p95 and CPU per click are read against it.
"""

import streamlit as st

st.title("Floor")
if st.button("Press", key="press"):
    st.session_state["presses"] = st.session_state.get("presses", 0) + 1
st.text(f"{st.session_state.get('presses', 0)} presses")
