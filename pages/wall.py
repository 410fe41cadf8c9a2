"""Wall display for a TV (SPEC M4 4.7): reached by a display link's token or the display role."""

from lib.auth import require_role
from lib.navigation import ALL
from lib.views.wall_access import token_access
from lib.views.wall_render import render_wall

viewer = token_access() or require_role(*ALL)
render_wall(viewer)
