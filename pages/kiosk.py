"""自助签到终端 (T21b): opened by a kiosk link (``/kiosk?token=…``), never from a menu.

``Home.py`` routes a kiosk token before any login; this file exists so that the first request after a
server start (which Streamlit may run straight from ``pages/``) also reaches the kiosk without a modal.
"""

from lib.auth import require_role
from lib.navigation import LINK_ONLY
from lib.services.visitors.kiosk import KioskAccess
from lib.views.visitors.kiosk_access import kiosk_link_viewer
from lib.views.visitors.kiosk_page import kiosk_page

viewer = kiosk_link_viewer() or require_role(*LINK_ONLY)  # without its link, no account may open it
kiosk_page(viewer if isinstance(viewer, KioskAccess) else None)
