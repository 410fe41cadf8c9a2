"""Wall display for a TV (SPEC M4 4.7): reached by a display link's token or the display role."""

from lib.auth import require_role
from lib.navigation import ALL
from lib.views.wall.access import display_link_viewer
from lib.views.wall.render import render_wall

viewer = display_link_viewer() or require_role(*ALL)
render_wall(viewer)
