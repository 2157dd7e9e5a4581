"""The window itself: start-up, the main window and its menus, the home list, the guide, maintenance."""
