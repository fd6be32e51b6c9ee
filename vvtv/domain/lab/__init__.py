"""The channel's pure rules: what to plan, what may air, when the reserve loop covers, how the
live playlists read. Values in, values out: no IO, no trio, no clock (the caller passes `now`)."""
