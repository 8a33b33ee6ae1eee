"""督查驾驶舱: the server-rendered web cockpit (DESIGN.md, "Interfaces").

Views only read through selectors and write through the same services and transitions as
the API; a refused action is shown as a message with its HTTP status (403/409), never a 500.
"""
